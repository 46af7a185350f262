// /proc and cgroup text captured on the dev machine (Linux 6.18, hybrid cgroup v1 + unified v2),
// copied by hand; the v2 cpu.stat / cpu.max follow the kernel's cgroup-v2.rst format.

/** /proc/<pid>/stat of bash. */
export const STAT_BASH =
  '1220 (bash) S 1189 1220 1220 0 -1 4194560 1529 32837 0 2 0 1 19 6 20 0 1 0 406349 5124096 972 18446744073709551615 94874964885504 ' +
  '94874965674909 140727305519216 0 0 0 65536 4 1132560123 1 0 0 17 1 0 0 0 0 0 94874965908208 94874965956452 94875292930048 ' +
  '140727305522044 140727305522059 140727305522059 140727305523178 0\n';

/** /proc/<pid>/stat of Node 24 (main thread names itself MainThread). */
export const STAT_NODE_MAIN =
  '2688 (MainThread) R 2686 2686 1220 0 -1 4194560 2842 0 1 0 1 1 0 0 20 0 7 0 419967 1305776128 11052 18446744073709551615 7626752 ' +
  '52430497 140720899244480 0 0 0 0 16781312 17922 0 0 0 17 0 0 0 0 0 0 112535000 112706784 566784000 140720899246512 ' +
  '140720899246804 140720899246804 140720899248095 0\n';

/** /proc/<pid>/task/<tid>/stat of a V8 platform worker thread. */
export const STAT_V8_WORKER =
  '2690 (V8Worker) S 2686 2686 1220 0 -1 4194368 1 0 0 0 0 0 0 0 20 0 7 0 419968 1305776128 10636 18446744073709551615 7626752 ' +
  '52430497 140720899244480 0 0 0 512 16781312 17922 1 0 0 -1 0 0 0 0 0 0 112535000 112706784 566784000 140720899246512 ' +
  '140720899246804 140720899246804 140720899248095 0\n';

/** A thread that named itself "a) (b c)" — the comm a naive split on ')' or spaces gets wrong. */
export const STAT_NASTY_COMM =
  '4242 (a) (b c)) S 1 4242 4242 0 -1 4194560 10 0 0 0 250 75 0 0 20 0 3 0 555 1000 12 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 ' +
  '17 0 0 0 0 0 0\n';

export const STATUS_BASH = `Name:\tbash
Umask:\t0022
State:\tS (sleeping)
Tgid:\t1220
Pid:\t1220
PPid:\t1189
VmPeak:\t    5004 kB
VmSize:\t    5004 kB
VmHWM:\t    4020 kB
VmRSS:\t    4020 kB
RssAnon:\t     932 kB
RssFile:\t    3088 kB
VmSwap:\t       0 kB
Threads:\t1
voluntary_ctxt_switches:\t37
nonvoluntary_ctxt_switches:\t10
`;

/** A zombie's status has no Vm* lines. */
export const STATUS_ZOMBIE = `Name:\tnode
State:\tZ (zombie)
Threads:\t1
voluntary_ctxt_switches:\t120
nonvoluntary_ctxt_switches:\t4
`;

export const IO_BASH = `rchar: 1901890
wchar: 85581
syscr: 8777
syscw: 318
read_bytes: 126976
write_bytes: 135168
cancelled_write_bytes: 77824
`;

export const SCHEDSTAT_NODE_THREAD = '22273 3786863 1\n';

export const CGROUP_HYBRID = `9:name=systemd:/
8:pids:/
7:blkio:/
6:freezer:/
5:devices:/
4:memory:/process_api/3ca5ee4d326716320cc9a0c08eaaeb69
3:cpuset:/
2:cpuacct:/
1:cpu:/
0::/
`;

export const CGROUP_V2 = '0::/system.slice/api.service\n';
export const CGROUP_V1_COMBINED = '4:cpu,cpuacct:/docker/abc123\n3:memory:/docker/abc123\n';

export const CPU_STAT_V1 = `nr_periods 0
nr_throttled 0
throttled_time 0
nr_bursts 0
burst_time 0
`;

export const CPU_STAT_V2 = `usage_usec 3830049720
user_usec 2551688366
system_usec 1278361354
nr_periods 5000
nr_throttled 1250
throttled_usec 8123456
nr_bursts 0
burst_usec 0
`;

/** The unified mount of a hybrid host without the cpu controller: no throttling counters. */
export const CPU_STAT_UNIFIED_NO_CPU = `usage_usec 3830049720
user_usec 2551688366
system_usec 1278361354
`;
