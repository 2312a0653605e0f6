import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { projectRoot } from '../../support/shared-data.js';

describe('app.yml', () => {
  const manifest = parse(readFileSync(`${projectRoot}/app.yml`, 'utf8')) as Record<string, any>;

  it('asks for the least privilege the app uses and the events it handles', () => {
    expect(manifest.default_permissions).toEqual({ checks: 'write', pull_requests: 'write', contents: 'read', metadata: 'read' });
    expect([...manifest.default_events].sort()).toEqual(['check_run', 'pull_request']);
    expect(manifest.public).toBe(false);
    expect(manifest.name).toBe('bpf-review');
  });
});
