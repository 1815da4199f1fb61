/**
 * The shipped preflight.sh against host trees built from data: the layouts seen on real nodes.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from '../support/cli';
import { describeWithTool } from '../support/tools';

const SCRIPT = path.resolve(__dirname, '../../constructs/node/preflight/preflight.sh');
const PARAMS = 'cgroup_enable=cpuset cgroup_enable=memory cgroup_memory=1';
// What the Raspberry Pi firmware prepends to cmdline.txt's contents.
const PI_FIRMWARE = 'coherent_pool=1M 8250.nr_uarts=1 cgroup_disable=memory numa_policy=interleave';

interface Host {
  /** Files relative to the root, content; a value of null makes an executable file. */
  files: Record<string, string | null>;
}

const V2_ALL = 'cpuset cpu io memory hugetlb pids rdma misc';
const KUBEADM = {
  'var/lib/kubelet/config.yaml': 'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\ncgroupDriver: systemd\n',
  'etc/containerd/config.toml': "version = 3\n[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]\n  SystemdCgroup = true\n",
};
const HEALTHY_BASE = {
  'proc/swaps': 'Filename\tType\tSize\tUsed\tPriority\n',
  'proc/sys/net/ipv4/ip_forward': '1\n',
  'usr/sbin/iscsiadm': null,
  ...KUBEADM,
};

/** The fixture hosts of the issue; every file is fake and made for these tests. */
const HOSTS: Record<string, Host> = {
  'raspberry-pi-os-bookworm-without-params': {
    files: {
      ...HEALTHY_BASE,
      'sys/fs/cgroup/cgroup.controllers': 'cpuset cpu io pids\n',
      'proc/cmdline': `${PI_FIRMWARE} console=serial0,115200 root=PARTUUID=fake-02 rootfstype=ext4 fsck.repair=yes rootwait\n`,
      'boot/firmware/cmdline.txt': 'console=serial0,115200 root=PARTUUID=fake-02 rootfstype=ext4 fsck.repair=yes rootwait\n',
      'proc/swaps': 'Filename\tType\tSize\tUsed\tPriority\n/var/swap                               file\t\t102396\t\t0\t\t-2\n',
    },
  },
  'rocky-linux-9-on-a-pi': {
    files: {
      ...HEALTHY_BASE,
      'sys/fs/cgroup/cgroup.controllers': 'cpuset cpu io pids\n',
      'proc/cmdline': `${PI_FIRMWARE} console=ttyAMA0,115200 root=LABEL=_/ rootfstype=ext4 rootwait\n`,
      'boot/cmdline.txt': 'console=ttyAMA0,115200 root=LABEL=_/ rootfstype=ext4 rootwait\n',
    },
  },
  'ubuntu-on-a-pi': {
    files: {
      ...HEALTHY_BASE,
      'sys/fs/cgroup/cgroup.controllers': 'cpuset cpu io pids\n',
      'proc/cmdline': `${PI_FIRMWARE} console=tty1 root=LABEL=writable rootfstype=ext4 rootwait fixrtc quiet splash\n`,
      'boot/firmware/cmdline.txt': 'console=serial0,115200 dwc_otg.lpm_enable=0 console=tty1 root=LABEL=writable rootfstype=ext4 rootwait fixrtc quiet splash\n',
    },
  },
  'configured-not-rebooted': {
    files: {
      ...HEALTHY_BASE,
      'sys/fs/cgroup/cgroup.controllers': 'cpuset cpu io pids\n',
      'proc/cmdline': `${PI_FIRMWARE} console=serial0,115200 root=PARTUUID=fake-02 rootwait\n`,
      'boot/firmware/cmdline.txt': `console=serial0,115200 root=PARTUUID=fake-02 rootwait ${PARAMS}\n`,
      'var/run/.keep': '',
    },
  },
  healthy: {
    files: {
      ...HEALTHY_BASE,
      'sys/fs/cgroup/cgroup.controllers': `${V2_ALL}\n`,
      'proc/cmdline': `${PI_FIRMWARE} console=serial0,115200 root=PARTUUID=fake-02 rootwait ${PARAMS}\n`,
      'boot/firmware/cmdline.txt': `console=serial0,115200 root=PARTUUID=fake-02 rootwait ${PARAMS}\n`,
    },
  },
  'cgroup-v1-host': {
    files: {
      ...HEALTHY_BASE,
      'sys/fs/cgroup/memory/cgroup.procs': '1\n',
      'sys/fs/cgroup/cpuset/cgroup.procs': '1\n',
      'proc/cmdline': 'BOOT_IMAGE=/vmlinuz-5.4.0 root=/dev/sda1 ro systemd.unified_cgroup_hierarchy=0\n',
    },
  },
};

function makeHost(name: string, extra: Record<string, string | null> = {}): string {
  const root = path.join(tempDir('gitplane-preflight-'), name);
  for (const [rel, content] of Object.entries({ ...HOSTS[name].files, ...extra })) {
    const file = path.join(root, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    if (content === null) fs.writeFileSync(file, '#!/bin/sh\n', { mode: 0o755 });
    else fs.writeFileSync(file, content);
  }
  return root;
}

interface Check {
  id: string;
  ok: boolean;
  message: string;
  fix: string;
}

describeWithTool('sh', 'preflight.sh on fixture hosts', (sh) => {
  const run = (args: string[], env: NodeJS.ProcessEnv = {}) => {
    const r = spawnSync(sh, [SCRIPT, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH, ...env } });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const checks = (root: string, env: NodeJS.ProcessEnv = {}) => {
    const r = run(['--root', root, '--json'], env);
    const parsed = JSON.parse(r.stdout) as { ok: boolean; checks: Check[] };
    return { status: r.status, ok: parsed.ok, byId: Object.fromEntries(parsed.checks.map((c) => [c.id, c])) };
  };
  const failing = (root: string) => Object.values(checks(root).byId).filter((c) => !c.ok).map((c) => c.id).sort();

  test('a healthy node passes every check and exits 0', () => {
    const r = checks(makeHost('healthy'));
    expect(r).toMatchObject({ status: 0, ok: true });
    expect(Object.keys(r.byId).sort()).toEqual(['boot-params', 'cgroup-cpuset', 'cgroup-driver', 'cgroup-memory', 'cgroup-v2', 'ip-forward', 'open-iscsi', 'swap-off']);
  });

  test('fails when Raspberry Pi OS Bookworm lacks the boot parameters: memory controller missing, not configured, swap on', () => {
    const root = makeHost('raspberry-pi-os-bookworm-without-params');
    const r = checks(root);
    expect(r.status).toBe(1);
    expect(failing(root)).toEqual(['boot-params', 'cgroup-memory', 'swap-off']);
    expect(r.byId['boot-params'].message).toContain('not configured: /boot/firmware/cmdline.txt lacks cgroup_enable=cpuset cgroup_enable=memory cgroup_memory=1');
    expect(r.byId['cgroup-memory'].fix).toContain('cgroup_enable=memory');
    expect(r.byId['swap-off'].message).toContain('/var/swap');
  });

  test('fails on Rocky Linux 9 on a Pi, reading /boot/cmdline.txt', () => {
    const r = checks(makeHost('rocky-linux-9-on-a-pi'));
    expect(r.status).toBe(1);
    expect(r.byId['boot-params'].message).toContain('not configured: /boot/cmdline.txt lacks');
  });

  test('fails on Ubuntu on a Pi, reading /boot/firmware/cmdline.txt', () => {
    const r = checks(makeHost('ubuntu-on-a-pi'));
    expect(r.byId['boot-params'].message).toContain('/boot/firmware/cmdline.txt lacks');
    expect(r.byId['cgroup-memory'].ok).toBe(false);
  });

  test('fails when configured but not yet rebooted, and says so', () => {
    const r = checks(makeHost('configured-not-rebooted'));
    expect(r.status).toBe(1);
    expect(r.byId['boot-params'].message).toContain('configured but not yet rebooted');
    expect(r.byId['boot-params'].fix).toContain('Reboot');
  });

  test('fails on a cgroup v1 host, which still has its controllers mounted', () => {
    const r = checks(makeHost('cgroup-v1-host'));
    expect(r.byId['cgroup-v2'].ok).toBe(false);
    expect(r.byId['cgroup-memory']).toMatchObject({ ok: true, message: 'the cgroup v1 memory hierarchy is mounted.' });
    expect(r.byId['boot-params'].ok).toBe(true);
  });

  test('fails when the v1 memory hierarchy is not mounted', () => {
    const root = makeHost('cgroup-v1-host');
    fs.rmSync(path.join(root, 'sys/fs/cgroup/memory'), { recursive: true });
    expect(checks(root).byId['cgroup-memory'].ok).toBe(false);
  });

  test('fails when ip_forward is off, open-iscsi is missing, or the cgroup drivers differ', () => {
    const root = makeHost('healthy', {
      'proc/sys/net/ipv4/ip_forward': '0\n',
      'etc/containerd/config.toml': "version = 2\n[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc.options]\n  SystemdCgroup = false\n",
    });
    fs.rmSync(path.join(root, 'usr/sbin/iscsiadm'));
    const r = checks(root);
    expect(failing(root)).toEqual(['cgroup-driver', 'ip-forward', 'open-iscsi']);
    expect(r.byId['cgroup-driver'].message).toBe('the kubelet uses the systemd cgroup driver but containerd uses cgroupfs.');
  });

  test('fails when RWX volumes need an NFS client and none is installed; passes with mount.nfs', () => {
    const root = makeHost('healthy');
    expect(checks(root, { PREFLIGHT_REQUIRE_NFS: '1' }).byId['nfs-client'].ok).toBe(false);
    expect(checks(root).byId['nfs-client']).toBeUndefined();
    const withNfs = makeHost('healthy', { 'sbin/mount.nfs': null });
    expect(checks(withNfs, { PREFLIGHT_REQUIRE_NFS: '1' }).byId['nfs-client'].ok).toBe(true);
  });

  test('without --fix it never writes', () => {
    const root = makeHost('raspberry-pi-os-bookworm-without-params');
    const before = fs.readFileSync(path.join(root, 'boot/firmware/cmdline.txt'), 'utf8');
    run(['--root', root]);
    expect(fs.readFileSync(path.join(root, 'boot/firmware/cmdline.txt'), 'utf8')).toBe(before);
    expect(fs.readdirSync(path.join(root, 'boot/firmware'))).toEqual(['cmdline.txt']);
    expect(fs.existsSync(path.join(root, 'run/reboot-required'))).toBe(false);
  });

  test('--fix appends what is missing to the one line, keeps a backup, marks reboot-required, and a second run changes nothing', () => {
    const root = makeHost('raspberry-pi-os-bookworm-without-params');
    const file = path.join(root, 'boot/firmware/cmdline.txt');
    const original = fs.readFileSync(file, 'utf8');
    const first = run(['--root', root, '--fix']);
    expect(first.status).toBe(1); // still needs the reboot
    expect(first.stdout).toContain('configured but not yet rebooted');
    const fixed = fs.readFileSync(file, 'utf8');
    expect(fixed).toBe(`${original.trimEnd()} ${PARAMS}\n`);
    expect(fixed.split('\n')).toHaveLength(2);
    expect(fs.readFileSync(`${file}.gitplane-backup`, 'utf8')).toBe(original);
    expect(fs.existsSync(path.join(root, 'run/reboot-required'))).toBe(true);
    const mtime = fs.statSync(file).mtimeMs;
    run(['--root', root, '--fix']);
    expect(fs.readFileSync(file, 'utf8')).toBe(fixed);
    expect(fs.statSync(file).mtimeMs).toBe(mtime);
    expect(fs.readFileSync(`${file}.gitplane-backup`, 'utf8')).toBe(original);
  });

  test('--fix only adds the parameters that are missing, and uses /var/run when it is a directory', () => {
    const root = makeHost('rocky-linux-9-on-a-pi', { 'boot/cmdline.txt': 'console=ttyAMA0 cgroup_enable=cpuset\n', 'var/run/.keep': '' });
    run(['--root', root, '--fix']);
    expect(fs.readFileSync(path.join(root, 'boot/cmdline.txt'), 'utf8')).toBe('console=ttyAMA0 cgroup_enable=cpuset cgroup_enable=memory cgroup_memory=1\n');
    expect(fs.existsSync(path.join(root, 'var/run/reboot-required'))).toBe(true);
  });

  test('--textfile writes one node-exporter metric per check', () => {
    const root = makeHost('configured-not-rebooted');
    const dir = tempDir();
    run(['--root', root, '--textfile', dir]);
    const text = fs.readFileSync(path.join(dir, 'gitplane_preflight.prom'), 'utf8');
    expect(text).toContain('# TYPE gitplane_preflight_check_ok gauge');
    expect(text).toContain('gitplane_preflight_check_ok{check="boot-params"} 0');
    expect(text).toContain('gitplane_preflight_check_ok{check="cgroup-v2"} 1');
    expect(fs.readdirSync(dir)).toEqual(['gitplane_preflight.prom']);
  });

  test('text output names each check with PASS or FAIL and a fix line for failures', () => {
    const r = run(['--root', makeHost('rocky-linux-9-on-a-pi')]);
    expect(r.stdout).toMatch(/^PASS cgroup-v2 /m);
    expect(r.stdout).toMatch(/^FAIL boot-params /m);
    expect(r.stdout).toMatch(/^ {5}fix: Append "cgroup_enable=cpuset/m);
  });

  test('fails with exit 2 on an unknown option, a missing value or a root that is not a directory', () => {
    expect(run(['--bogus']).status).toBe(2);
    expect(run(['--root']).status).toBe(2);
    expect(run(['--root', '/nonexistent/gitplane']).stderr).toContain('is not a directory');
    expect(run(['--root', '/nonexistent/gitplane']).status).toBe(2);
  });

  test('--help prints usage and exits 0', () => {
    const r = run(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Usage: preflight.sh');
  });
});

describeWithTool('shellcheck', 'preflight.sh lint', (shellcheck) => {
  test('shellcheck passes', () => {
    const r = spawnSync(shellcheck, [SCRIPT], { encoding: 'utf8' });
    expect(r.stdout).toBe('');
    expect(r.status).toBe(0);
  });
});
