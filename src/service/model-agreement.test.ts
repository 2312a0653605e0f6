import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { measureAgreement } from './model-agreement.js';

const tree = join(import.meta.dirname, '..', '..', 'examples', 'tree');

describe('measureAgreement', () => {
  it('scores the verifier model on the example tree\'s graph selftests', async () => {
    const t = new Date(Date.UTC(2024, 0, 1));
    const a = await measureAgreement(tree, t);
    expect(a).not.toBeNull();
    if (!a) return;
    expect(a.measuredAt).toBe(t);
    expect(a.programs).toBeGreaterThan(0);
    expect(a.verdictAgree).toBeLessThanOrEqual(a.programs);
    expect(a.messageAgree).toBeLessThanOrEqual(a.programs);
    expect(a.kernel).toMatch(/^\d+\.\d+/);
  });

  it('is null for a folder without graph selftests', async () => {
    await expect(measureAgreement(join(tree, 'include'), new Date())).resolves.toBeNull();
  });
});
