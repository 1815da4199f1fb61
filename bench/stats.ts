/** Medians with min and max, and the table the benchmark prints. */
export interface Figure {
  median: number;
  min: number;
  max: number;
}

export function measure(samples: number[]): Figure {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median: round(median), min: round(sorted[0]), max: round(sorted[sorted.length - 1]) };
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

const f = (x: Figure, unit: string) => `${x.median} ${unit} (${x.min}-${x.max})`;

/** gitplane's figure over the peer's: below 1 gitplane is faster, above 1 slower. */
const ratio = (gitplane: Figure, peer: Figure) => `${(gitplane.median / peer.median).toFixed(2)}x`;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function peerRows(c: any): [string, string][] {
  const g = c.gitplane;
  return [
    [`${g.name} (${c.task}, ${c.objects} objects), whole process`, `wall ${f(g.wallMs, 'ms')}, CPU ${f(g.cpuMs, 'ms')}`],
    ...c.peers.map((p: any): [string, string] =>
      p.wallMs
        ? [`  ${p.name}, same directory`, `wall ${f(p.wallMs, 'ms')}, CPU ${f(p.cpuMs, 'ms')}; gitplane/peer: wall ${ratio(g.wallMs, p.wallMs)}, CPU ${ratio(g.cpuMs, p.cpuMs)}${p.note ? ` (${p.note})` : ''}`]
        : [`  ${p.name}`, p.note],
    ),
  ];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function table(r: any): string {
  const rows: [string, string][] = [
    ['machine', `${r.machine.cpus} CPUs, Node ${r.machine.node}, load average ${r.machine.load.start.toFixed(1)} at start, ${r.machine.load.end.toFixed(1)} at end`],
    ...(r.startup ?? []).map((c: any) => [`start-up: ${c.name}, whole process`, `wall ${f(c.wallMs, 'ms')}, CPU ${f(c.cpuMs, 'ms')}`] as [string, string]),
    ...r.peers.flatMap(peerRows),
    ...(['prCheck', 'prCheckColdCache'] as const).flatMap((k) => {
      const cache = k === 'prCheck' ? 'render cache warm' : 'render cache empty';
      return [
        [`PR check wall (cold process, ${cache})`, f(r[k].wall, 'ms')],
        [`PR check CPU (cold process, ${cache})`, f(r[k].cpu, 'ms')],
        [`PR check peak RSS (${cache})`, f(r[k].peakRssMb, 'MB')],
      ] as [string, string][];
    }),
    ...Object.entries(r.synth.perEnvironment).map(([env, v]: [string, any]) => [`synth ${env} in-process, warm (${v.objects} objects)`, f(v.ms, 'ms')] as [string, string]),
    [`synth all environments in-process, warm`, f(r.synth.all, 'ms')],
    [`validation in-process, warm, real output (${r.validation.real.objects} objects)`, `${r.validation.real.objectsPerSecond} objects/s`],
    [`validation in-process, warm, synthetic (${r.validation.synthetic.objects} objects)`, `${r.validation.synthetic.objectsPerSecond} objects/s`],
    ...(r.policy
      ? ([
          [`policy in-process, warm, real output (${r.policy.real.objects} objects)`, `${r.policy.real.objectsPerSecond} objects/s (${r.policy.real.objectsPerCpuSecond} per CPU second)`],
          [`policy in-process, warm, synthetic (${r.policy.synthetic.objects} objects)`, `${r.policy.synthetic.objectsPerSecond} objects/s (${r.policy.synthetic.objectsPerCpuSecond} per CPU second)`],
        ] as [string, string][])
      : []),
    ...r.fleet.map((x: any) => [`fleet ${x.clusters} cluster(s): ${x.objects} objects, ${x.bytes} bytes`, f(x.ms, 'ms')] as [string, string]),
    ...(r.platform ?? []).map(
      (x: any) => [`team platform PR check, ${x.environments} environment(s) x ${x.apps} apps (cold process, 1 run)`, `wall ${x.wallMs} ms, CPU ${x.cpuMs} ms, peak RSS ${x.peakRssMb} MB, ${x.findings} finding(s)`] as [string, string],
    ),
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return `${rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n')}\n`;
}
