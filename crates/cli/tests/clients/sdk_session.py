"""Drives the simulated engine with the official oVirt Python SDK (ovirtsdk4), as an
administrator would: search, upgrade a host, migrate a VM, global maintenance, cluster level.
Usage: sdk_session.py URL USERNAME PASSWORD. Exits non-zero with a message on any mismatch."""

import sys
import time

import ovirtsdk4 as sdk
import ovirtsdk4.types as types

url, username, password = sys.argv[1:4]
connection = sdk.Connection(url=url, username=username, password=password, insecure=True)


def check(condition, message):
    if not condition:
        print("FAILED: " + message, file=sys.stderr)
        sys.exit(1)


def wait_for(what, predicate, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.5)
    check(False, "timed out waiting for " + what)


check(connection.test(raise_exception=True), "connection test")
system = connection.system_service()
api = system.get()
check(api.product_info.version.major == 4 and api.product_info.version.minor == 4, "product version 4.4")

hosts_service = system.hosts_service()
hosts = hosts_service.list(search="cluster=Default and status=up")
check(len(hosts) == 3, "three hosts up, got %d" % len(hosts))
check(all(h.status == types.HostStatus.UP for h in hosts), "statuses parse as enums")
named = hosts_service.list(search='name="host01"')
check([h.name for h in named] == ["host01"], "search by quoted name")
with_he = hosts_service.list(search="name=host0*", all_content=True)
check(any(h.hosted_engine is not None and h.hosted_engine.configured for h in with_he), "hosted_engine with all_content")
without = hosts_service.list(search="name=host01")
check(without[0].hosted_engine is None, "no hosted_engine without all_content")

vms_service = system.vms_service()
vms = vms_service.list(search="cluster=Default")
check(len(vms) >= 7, "VMs listed, got %d" % len(vms))
check(all(vm.placement_policy.affinity is not None for vm in vms), "every VM has an affinity")
clusters = system.clusters_service().list(search="name=Default")
check(len(clusters) == 1 and clusters[0].version.minor == 5, "cluster at 4.5")

# Upgrade a host that runs no hosted engine and no pinned VM, and follow it back to up.
he_vm = vms_service.list(search="name=HostedEngine")[0]
target = [h for h in hosts if h.name not in ("host03",) and h.id != he_vm.host.id][0]
host_service = hosts_service.host_service(target.id)
host_service.upgrade_check()
wait_for("update check", lambda: host_service.get().update_available)
host_service.upgrade(reboot=True)
seen = set()


def host_back_up():
    status = host_service.get().status
    seen.add(status)
    return status == types.HostStatus.UP and not host_service.get().update_available


wait_for("host upgrade", host_back_up)
check(types.HostStatus.MAINTENANCE in seen or types.HostStatus.INSTALLING in seen or types.HostStatus.REBOOT in seen,
      "the upgrade went through maintenance, installing or reboot: %s" % seen)
events = system.events_service().list(search="type=888 or type=842", max=10)
check(any(target.name in e.description for e in events), "an upgrade event names the host")
check(all(int(events[i].id) > int(events[i + 1].id) for i in range(len(events) - 1)), "events newest first")

# Migrate a VM to an explicit host.
vm = [v for v in vms_service.list(search="cluster=Default and status=up") if not v.name.startswith("pinned") and v.name != "HostedEngine"][0]
vm_service = vms_service.vm_service(vm.id)
source = vm.host.id
destination = [h for h in hosts_service.list(search="status=up") if h.id != source][0]
vm_service.migrate(host=types.Host(id=destination.id))
wait_for("migration", lambda: vm_service.get().status == types.VmStatus.UP and vm_service.get().host.id == destination.id)

# A pinned VM refuses to move, with the engine's fault.
pinned = vms_service.list(search="name=pinned-db")[0]
try:
    vms_service.vm_service(pinned.id).migrate()
    check(False, "a pinned VM must refuse to migrate")
except sdk.Error as error:
    check("pinned" in str(error), "the fault names the reason: %s" % error)

# Global maintenance on and off through the hosted-engine VM. Each host shows the flag after the
# engine's next poll of its statistics, as on a real engine: wait for it on the hosts it polls.
he_service = vms_service.vm_service(he_vm.id)


def polled_he_hosts():
    return [h for h in hosts_service.list(all_content=True)
            if h.hosted_engine is not None and h.hosted_engine.configured and h.status == types.HostStatus.UP]


he_service.maintenance(maintenance_enabled=True)
check(len(polled_he_hosts()) > 0, "hosted-engine hosts are up")
wait_for("global maintenance on", lambda: all(h.hosted_engine.global_maintenance for h in polled_he_hosts()))
he_service.maintenance(maintenance_enabled=False)
wait_for("global maintenance off", lambda: all(not h.hosted_engine.global_maintenance for h in polled_he_hosts()))

# Raise the cluster level; running VMs then carry a pending configuration.
cluster_service = system.clusters_service().cluster_service(clusters[0].id)
cluster_service.update(types.Cluster(version=types.Version(major=4, minor=6)))
check(cluster_service.get().version.minor == 6, "cluster raised to 4.6")
pending = vms_service.list(search="next_run_config_exists=true")
check(len(pending) > 0, "running VMs have a pending configuration")

connection.close()
print("sdk session passed")
