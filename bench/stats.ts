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

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function table(r: any): string {
  const rows: [string, string][] = [
    ['PR check wall (cold process)', f(r.prCheck.wall, 'ms')],
    ['PR check peak RSS', f(r.prCheck.peakRssMb, 'MB')],
    ...Object.entries(r.synth.perEnvironment).map(([env, v]: [string, any]) => [`synth ${env} (${v.objects} objects)`, f(v.ms, 'ms')] as [string, string]),
    ['synth all environments', f(r.synth.all, 'ms')],
    [`validation, real output (${r.validation.real.objects} objects)`, `${r.validation.real.objectsPerSecond} objects/s`],
    [`validation, synthetic (${r.validation.synthetic.objects} objects)`, `${r.validation.synthetic.objectsPerSecond} objects/s`],
    ...(r.policy
      ? ([
          [`policy, real output (${r.policy.real.objects} objects)`, `${r.policy.real.objectsPerSecond} objects/s`],
          [`policy, synthetic (${r.policy.synthetic.objects} objects)`, `${r.policy.synthetic.objectsPerSecond} objects/s`],
        ] as [string, string][])
      : []),
    ...r.fleet.map((x: any) => [`fleet ${x.clusters} cluster(s): ${x.objects} objects, ${x.bytes} bytes`, f(x.ms, 'ms')] as [string, string]),
    ...r.peers.map((p: any) => [p.name, p.note] as [string, string]),
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return `${rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n')}\n`;
}
