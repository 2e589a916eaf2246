# dom0-bridge/: migbridge, migbridge-ctl, the decision policy (bridge.mk)
# and libmigstate-precopy.so with its libxenguest harness (hook.mk).
-include dom0-bridge/bridge.mk
-include dom0-bridge/hook.mk
