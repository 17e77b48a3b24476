import { describe, expect, it } from 'vitest';
import { renderTypes } from '../typegen.js';
import { arr, bool, cel, desc, enumOf, int32, map, named, obj, str, stringMap, withRules } from './dsl.js';
import { toOpenAPI } from './emit.js';
import { sortKeysDeep } from './sort.js';
import { META } from './types.js';

describe('DSL', () => {
  it('builds plain structural schemas; metadata never reaches JSON', () => {
    const s = named('Thing', obj({ a: str({ description: 'A.' }), n: int32({ minimum: 0, default: 1, description: 'N.' }) }, { required: ['a'], description: 'A thing.' }));
    expect(JSON.parse(JSON.stringify(s))).toEqual({
      type: 'object',
      description: 'A thing.',
      required: ['a'],
      properties: { a: { type: 'string', description: 'A.' }, n: { type: 'integer', format: 'int32', minimum: 0, default: 1, description: 'N.' } },
    });
    expect(s[META]).toEqual({ tsName: 'Thing', tsDoc: 'A thing.' });
    expect(obj({}).required).toBeUndefined();
  });

  it('desc() changes only the description and keeps name and rules', () => {
    const base = named('T', withRules(obj({ x: bool() }, { description: 'base' }), cel('r', { rule: 'true' }, () => true)));
    const d = desc(base, 'other');
    expect(d.description).toBe('other');
    expect(d[META]?.tsName).toBe('T');
    expect(d[META]?.tsDoc).toBe('base');
    expect(d[META]?.rules?.map((r) => r.name)).toEqual(['r']);
  });

  it('arr() emits list-type markers; toOpenAPI emits CEL rules without the TS twin', () => {
    const s = withRules(
      obj({ items: arr(obj({ name: str() }, { required: ['name'] }), { listType: 'map', listMapKeys: ['name'] }) }),
      cel('hasItems', { rule: 'has(self.items)', message: 'items required', fieldPath: '.items', reason: 'FieldValueRequired' }, (self: { items?: unknown[] }) => self.items !== undefined),
    );
    const out = toOpenAPI(s);
    expect(out['x-kubernetes-validations']).toEqual([{ rule: 'has(self.items)', message: 'items required', fieldPath: '.items', reason: 'FieldValueRequired' }]);
    expect(out.properties?.['items']).toMatchObject({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] });
    expect(Object.getOwnPropertySymbols(out)).toEqual([]);
  });

  it('sortKeysDeep sorts object keys recursively and keeps array order', () => {
    expect(JSON.stringify(sortKeysDeep({ b: 1, a: [{ d: 1, c: 2 }, 3] }))).toBe('{"a":[{"c":2,"d":1},3],"b":1}');
  });
});

describe('renderTypes', () => {
  it('emits interfaces for named nodes, inline literals and unions for the rest', () => {
    const inner = named('Inner', obj({ v: enumOf(['A', 'B'] as const, { description: 'Which.' }) }, { required: ['v'], description: 'Inner doc.' }));
    const root = named(
      'Root',
      obj(
        {
          inner: desc(inner, 'The inner.'),
          list: arr(inner, { description: 'Many.' }),
          labels: stringMap({ description: 'Labels.' }),
          counts: map(int32(), { description: 'Counts.' }),
          anon: obj({ x: bool({ description: 'X.' }) }, { description: 'Anonymous.' }),
          kind: named('Kind', enumOf(['K1', 'K2'] as const, { description: 'Kind doc.' })),
        },
        { description: 'Root doc.', tsRequired: ['inner'] },
      ),
    );
    const text = renderTypes([root], [{ kind: 'Root', listKind: 'RootList', apiVersion: 'x/v1' }]);
    expect(text).toContain('/** Root doc. */\nexport interface Root {\n  /** The inner. */\n  inner: Inner;\n');
    expect(text).toContain('  list?: Inner[];\n');
    expect(text).toContain('  labels?: { [key: string]: string };\n');
    expect(text).toContain('  counts?: { [key: string]: number };\n');
    expect(text).toContain('  anon?: {\n    /** X. */\n    x?: boolean;\n  };\n');
    expect(text).toContain('/** Inner doc. */\nexport interface Inner {\n  /** Which. */\n  v: "A" | "B";\n}\n');
    expect(text).toContain('export type Kind = "K1" | "K2";');
    expect(text).toContain('export interface RootList {\n  apiVersion?: string;\n  kind?: string;\n  metadata?: V1ListMeta;\n  items: Root[];\n}');
    expect(text).toContain("import type { V1ListMeta } from '../core/wire.js';");
    // each named type is declared once
    expect(text.split('export interface Inner ').length - 1).toBe(1);
  });

  it('refuses one name for two different schemas', () => {
    const a = named('Dup', obj({ x: str() }));
    const b = named('Dup', obj({ y: str() }));
    expect(() => renderTypes([obj({ a, b })])).toThrow('type name Dup is used for two different schemas');
  });
});
