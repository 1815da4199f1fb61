/**
 * Rendering the shipped environments' Helm applications with the real Helm (tools/install.sh) and
 * the pinned archives of the offline Helm repository in SHARED_DIR/charts, once per environment
 * per test file.
 */
import * as path from 'node:path';
import { BuiltEnvironment, renderEnvironment } from '../../stacks/pipeline';
import { loadSettings, Settings } from '../../stacks/settings';
import { SHARED_DIR } from './cli';
import { built } from './environments';

export const CHARTS_DIR = path.join(SHARED_DIR, 'charts');

/** Settings that render with `helm` from the offline Helm repository and no pull cache. */
export function renderSettings(helm: string | undefined): Settings {
  const settings = loadSettings();
  return { ...settings, helm, charts: { locked: [], cache: settings.charts.cache, mirror: CHARTS_DIR, mirrorSetting: 'GITPLANE_CHART_MIRROR' } };
}

const cache = new Map<string, BuiltEnvironment>();

/** A shipped environment built and its charts rendered twice (render-deterministic compares the two). */
export function rendered(name: string, helm: string): BuiltEnvironment {
  let b = cache.get(name);
  if (!b) {
    b = renderEnvironment(built(name), renderSettings(helm), 2);
    cache.set(name, b);
  }
  return b;
}
