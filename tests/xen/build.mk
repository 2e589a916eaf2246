# tests/xen/: the end-to-end test on a real Xen 4.17 under QEMU's software
# emulation (`make check-xen`, the last of `make check`'s rigs; 10-20 minutes).
#   XEN_CACHE    where Debian's Xen and kernel packages are downloaded and
#                unpacked once (default $(B)/xen-cache)
#   XEN_TIMEOUT  bound on the QEMU boots together, seconds (default 1800)
#   XEN_STALL    a console silent this long is a stalled machine (default 180)
#   XEN_ATTEMPTS boots allowed when one stalls (default 2); see run.sh
# Boot files and the serial log go to $(B)/xen/.
DEPS_PKGS	+= qemu-system-x86 busybox-static cpio apache2-bin

XEN_CACHE	?= $(B)/xen-cache
XEN_TIMEOUT	?= 1800
XEN_STALL	?= 180
XEN_ATTEMPTS	?= 2
XEN_OUT		:= $(B)/xen

.PHONY: check-xen xen-images
CHECK_RIGS	+= check-xen
xen-images: all
	@sh tests/xen/fetch.sh $(XEN_CACHE)
	@sh tests/xen/build-images.sh $(B) $(XEN_CACHE) $(XEN_OUT)

check-xen: xen-images
	@XEN_STALL=$(XEN_STALL) XEN_ATTEMPTS=$(XEN_ATTEMPTS) \
	    sh tests/xen/run.sh $(XEN_OUT) $(XEN_TIMEOUT)
