import { describe, expect, it } from 'vitest';
import { detectGraphSemantics } from './detect-graph-semantics.js';

describe('detectGraphSemantics', () => {
  it('reads the v6.2 design from release_on_unlock', () => {
    expect(detectGraphSemantics('static int f(void)\n{\n\treturn state->refs[i].release_on_unlock;\n}\n')).toEqual({ releaseOnUnlock: true, nonOwningRefs: false });
  });
  it('reads the v6.3+ design from invalidate_non_owning_refs()', () => {
    expect(detectGraphSemantics('static void invalidate_non_owning_refs(struct env *e)\n{\n}\n')).toEqual({ releaseOnUnlock: false, nonOwningRefs: true });
  });
  it('says nothing when the text is not decisive (both, neither, only in comments, no file)', () => {
    expect(detectGraphSemantics('x = release_on_unlock; invalidate_non_owning_refs(env);')).toEqual({});
    expect(detectGraphSemantics('int x;')).toEqual({});
    expect(detectGraphSemantics('/* invalidate_non_owning_refs() used to live here */ int x;')).toEqual({});
    expect(detectGraphSemantics(null)).toEqual({});
  });
});
