import type { VersionSemantics } from './version-semantics.js';

/** C types as far as the model needs them (layout, pointer arithmetic, field access). */
export type CType =
  | { k: 'void' }
  | { k: 'int'; size: number }
  | { k: 'ptr'; to: CType }
  | { k: 'struct'; name: string }
  | { k: 'array'; of: CType; n: number }
  | { k: 'func' };

export const VOID: CType = { k: 'void' };
export const INT: CType = { k: 'int', size: 4 };
export const LONG: CType = { k: 'int', size: 8 };
export const ptrTo = (t: CType): CType => ({ k: 'ptr', to: t });

export interface FieldDecl {
  name: string;
  type: CType;
  /** __contains(T, field) on a bpf_list_head / bpf_rb_root */
  contains?: { type: string; field: string };
  kptr?: boolean;
}

export interface StructDecl {
  name: string;
  kind: 'struct' | 'union';
  fields: FieldDecl[];
  anonymous: boolean;
}

export interface FieldLayout extends FieldDecl {
  offset: number;
  size: number;
}

export interface StructLayout {
  name: string;
  kind: 'struct' | 'union';
  size: number;
  align: number;
  fields: FieldLayout[];
  /** Known to the model (program BTF) or an opaque kernel type. */
  known: boolean;
}

/** The graph / special field types the verifier recognises in allocated objects and map values. */
export const SPECIAL_FIELDS = new Set([
  'bpf_spin_lock',
  'bpf_res_spin_lock',
  'bpf_list_head',
  'bpf_list_node',
  'bpf_rb_root',
  'bpf_rb_node',
  'bpf_refcount',
  'bpf_timer',
  'bpf_wq',
]);

const PRIMS: Record<string, number> = {
  char: 1, 'signed char': 1, 'unsigned char': 1, bool: 1, _Bool: 1, __u8: 1, u8: 1, __s8: 1, s8: 1,
  short: 2, 'unsigned short': 2, __u16: 2, u16: 2, __s16: 2, s16: 2, __be16: 2,
  int: 4, unsigned: 4, 'unsigned int': 4, 'signed int': 4, __u32: 4, u32: 4, __s32: 4, s32: 4, __be32: 4, float: 4,
  long: 8, 'unsigned long': 8, 'long long': 8, 'unsigned long long': 8, 'long int': 8, __u64: 8, u64: 8, __s64: 8,
  s64: 8, size_t: 8, loff_t: 8, double: 8, uintptr_t: 8, __be64: 8,
};

export function primitiveType(text: string): CType | null {
  const t = text.replace(/\b(const|volatile|static|extern|register|signed)\b/g, (m) => (m === 'signed' ? 'signed' : '')).replace(/\s+/g, ' ').trim();
  if (t === 'void') return VOID;
  const size = PRIMS[t] ?? PRIMS[t.replace(/^signed /, '')];
  return size !== undefined ? { k: 'int', size } : null;
}

export class TypeRegistry {
  readonly decls = new Map<string, StructDecl>();
  private readonly layouts = new Map<string, StructLayout>();

  constructor(private readonly sem: VersionSemantics) {}

  add(d: StructDecl): void {
    // keep the first definition with a body
    if (!this.decls.has(d.name)) this.decls.set(d.name, d);
  }

  sizeOf(t: CType): number {
    return this.sizeAlign(t).size;
  }

  sizeAlign(t: CType): { size: number; align: number } {
    switch (t.k) {
      case 'void':
        return { size: 1, align: 1 };
      case 'int':
        return { size: t.size, align: t.size };
      case 'ptr':
      case 'func':
        return { size: 8, align: 8 };
      case 'array': {
        const e = this.sizeAlign(t.of);
        return { size: e.size * t.n, align: e.align };
      }
      case 'struct': {
        const l = this.layout(t.name);
        return { size: l.size, align: l.align };
      }
    }
  }

  layout(name: string): StructLayout {
    const cached = this.layouts.get(name);
    if (cached) return cached;
    const special = this.sem.sizes[name];
    let l: StructLayout;
    if (special) {
      l = { name, kind: 'struct', size: special.size, align: special.align, fields: [], known: true };
    } else {
      const d = this.decls.get(name);
      if (!d) {
        l = { name, kind: 'struct', size: 8, align: 8, fields: [], known: false };
      } else {
        let off = 0;
        let align = 1;
        let size = 0;
        const fields: FieldLayout[] = [];
        for (const f of d.fields) {
          const sa = this.sizeAlign(f.type);
          align = Math.max(align, sa.align);
          if (d.kind === 'union') {
            fields.push({ ...f, offset: 0, size: sa.size });
            size = Math.max(size, sa.size);
          } else {
            off = Math.ceil(off / sa.align) * sa.align;
            fields.push({ ...f, offset: off, size: sa.size });
            off += sa.size;
            size = off;
          }
        }
        size = Math.ceil(size / align) * align;
        l = { name, kind: d.kind, size, align, fields, known: true };
      }
    }
    this.layouts.set(name, l);
    return l;
  }

  field(structName: string, field: string): FieldLayout | null {
    return this.layout(structName).fields.find((f) => f.name === field) ?? null;
  }

  /**
   * Special fields (recursively through nested structs and arrays) of a struct:
   * [{type, offset, contains}] as the verifier's btf_record would list them.
   */
  specialFields(name: string): { type: string; offset: number; size: number; contains?: { type: string; field: string } }[] {
    const out: { type: string; offset: number; size: number; contains?: { type: string; field: string } }[] = [];
    const walk = (t: CType, base: number, contains?: { type: string; field: string }): void => {
      if (t.k === 'struct') {
        if (SPECIAL_FIELDS.has(t.name)) {
          out.push({ type: t.name, offset: base, size: this.sizeOf(t), ...(contains ? { contains } : {}) });
          return;
        }
        for (const f of this.layout(t.name).fields) walk(f.type, base + f.offset, f.contains);
      } else if (t.k === 'array') {
        const es = this.sizeOf(t.of);
        for (let i = 0; i < t.n; i++) walk(t.of, base + i * es, contains);
      }
    };
    walk({ k: 'struct', name }, 0);
    return out;
  }
}

export function typeToString(t: CType, reg?: TypeRegistry): string {
  switch (t.k) {
    case 'void':
      return 'void';
    case 'int':
      return `int${t.size * 8}`;
    case 'ptr':
      return `${typeToString(t.to, reg)} *`;
    case 'struct':
      return `${reg?.decls.get(t.name)?.kind ?? 'struct'} ${t.name}`;
    case 'array':
      return `${typeToString(t.of, reg)}[${t.n}]`;
    case 'func':
      return 'func';
  }
}
