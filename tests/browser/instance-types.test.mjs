// The instance pages' JSON checked against PeerTube's own published TypeScript types
// (@peertube/peertube-types, pinned in package.json), as peertube-types.test.mjs does for
// moderation: the real answers of `/api/v1/config/about` (About), `/api/v1/config/custom`
// before and after a change (CustomConfig) and `/api/v1/server/stats` (ServerStats: Kinora
// sends the counters it keeps, so `Partial<ServerStats>`: each field it sends must be one of
// PeerTube's, with its type) are written into a .ts file, and `tsc --strict --noEmit` must
// accept it. Object literals are checked for missing, mistyped and unknown fields.
//
// Needs the debug binaries (`cargo build --workspace --bins`).

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { apiCall, assertTyped, startInstance } from './instance.mjs'

test('instance pages answers are typed as PeerTube types them', { timeout: 300000 }, async () => {
  const instance = await startInstance({ extra: '[instance]\nterms = "Be kind."\nlanguages = ["fr"]\ncategories = [15]\n' })
  try {
    const answers = {
      about: ['About', await apiCall(instance, null, '/config/about')],
      customBefore: ['CustomConfig', await apiCall(instance, instance.token, '/config/custom')],
      customAfter: ['CustomConfig', await apiCall(instance, instance.token, '/config/custom', {
        method: 'PUT',
        json: { instance: { name: 'Typed Town', description: 'Typed *description*' }, signup: { enabled: true, requiresApproval: true } }
      })],
      customReset: ['CustomConfig', await apiCall(instance, instance.token, '/config/custom', { method: 'DELETE' })],
      stats: ['Partial<ServerStats>', await apiCall(instance, null, '/server/stats')]
    }
    assert.equal(answers.customAfter[1].instance.name, 'Typed Town')
    assert.equal(answers.customReset[1].instance.name, 'Kinora')
    assert.equal(answers.about[1].instance.terms, 'Be kind.')
    assertTyped('instance-answers.ts', [
      "import type { About, CustomConfig, ServerStats } from '@peertube/peertube-types'",
      '',
      '/** What JSON makes of T: dates travel as strings; PeerTube sends null in fields its types never make nullable (a licence left unset). */',
      'type Json<T> = T extends Date ? string : T extends Array<infer U> ? Array<Json<U>> : T extends object',
      '  ? { [K in keyof T]: Json<T[K]> | null }',
      '  : T'
    ], answers)
  } finally {
    instance.stop()
  }
})
