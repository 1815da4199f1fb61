import { COMMON_OPTIONS, parse } from '../args';
import { Command, CRASHED } from '../command';
import { UsageError } from '../usage-error';

const OPTIONS = { ...COMMON_OPTIONS, 'emit-script': { type: 'boolean' } } as const;

export const preflight: Command = {
  name: 'preflight',
  summary: 'Print the node preflight script, for hosts before they join a cluster.',
  help: `Usage: gitplane preflight --emit-script > preflight.sh

Prints preflight.sh, the same script the node-preflight DaemonSet runs, for cloud-init or
Ansible to run on a host before it joins: sh preflight.sh [--root DIR] [--json] [--fix].
It checks cgroup v2 with the memory and cpuset controllers, the Raspberry Pi boot parameters in
/proc/cmdline and cmdline.txt, swap, IP forwarding, open-iscsi (and, with
PREFLIGHT_REQUIRE_NFS=1, an NFS client) and the kubelet's and containerd's cgroup drivers.
Run "sh preflight.sh --help" for its options.

Options:
      --emit-script   print the script to stdout
  -h, --help          this help

Exit status: 0 printed, 2 usage error,
${CRASHED}.`,
  async run(argv, io) {
    const { values } = parse('preflight', argv, OPTIONS);
    if (values.help) {
      io(Boolean(values.quiet)).out(this.help);
      return 0;
    }
    if (!values['emit-script']) throw new UsageError('gitplane preflight needs --emit-script (it prints the script; run the script on the host). Run "gitplane preflight --help" for usage.');
    const { shippedScript } = await import('../../stacks/scripts');
    process.stdout.write(shippedScript('node/preflight/preflight.sh'));
    return 0;
  },
};
