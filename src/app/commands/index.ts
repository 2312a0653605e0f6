import type { Command } from 'commander';
import { register as registerSeries } from './series.js';
import { register as registerB4Check } from './b4-check.js';
import { register as registerKfuncs } from './kfuncs.js';
import { register as registerModel } from './model.js';
import { register as registerServe } from './serve.js';
import { register as registerBackfill } from './backfill.js';
import { register as registerReview } from './review.js';

/**
 * Every sub-command lives in its own file here and exports `register(program)`.
 * Add one import and one call per command.
 */
export function registerCommands(program: Command): void {
  registerSeries(program);
  registerReview(program);
  registerKfuncs(program);
  registerModel(program);
  registerB4Check(program);
  registerServe(program);
  registerBackfill(program);
}
