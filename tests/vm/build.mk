# tests/vm/build.mk - KVM/QEMU mode's tests: the unit tests and fuzz target
# that need no VM, and `make check-vm`, the end-to-end test with a real VM
# live-migrated by QEMU (tests/vm/run.sh; root, ~10 minutes on 2 cores).
# The guest kernel is fetched with apt-get download into VM_CACHE.
VM_CACHE	?= $(B)/vm-cache
DEPS_PKGS	+= qemu-system-x86 busybox-static cpio libjansson-dev curl iproute2

$(eval $(call unit_test,test_chan_virtio,tests/unit/test_chan_virtio.c,migproto,$(PROTO_LIBS)))
$(eval $(call unit_test,test_wire_qemu,tests/unit/test_wire_qemu.c,migproto,))
$(eval $(call unit_test,test_qmp,tests/unit/test_qmp.c dom0-bridge/qmp.c,,-ljansson))
$(eval $(call fuzz_target,fuzz_qmp,tests/fuzz/fuzz_qmp.c dom0-bridge/qmp.c,-ljansson))

.PHONY: check-vm
CHECK_RIGS	+= check-vm
check-vm: $(B)/guest-agent/migstate-agent $(B)/dom0-bridge/migbridge \
	  $(B)/dom0-bridge/migbridge-ctl $(B)/mod_migstate/mod_migstate.so
	@B=$(B) VM_CACHE=$(VM_CACHE) sh tests/vm/run.sh
$(eval $(call fuzz_target,fuzz_wire_qemu,tests/fuzz/fuzz_wire_qemu.c proto/wire.c,))
