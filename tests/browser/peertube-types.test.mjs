// The moderation JSON checked against PeerTube's own published TypeScript types
// (@peertube/peertube-types, pinned in package.json): an instance is given reports (on a video,
// a comment and an account, with a message), a blocked video and mutes of both kinds through
// the REST API; the real answers of the moderation list routes are written into a .ts file as
// `const answer: Json<ResultList<AdminAbuse>> = <answer>` and so on, and `tsc --strict
// --noEmit` must accept it. Object literals are checked for missing, mistyped AND unknown
// fields. `Json<T>` is what JSON makes of T: PeerTube's types declare some dates as `Date`,
// which travel as ISO strings, and its server sends null in fields its types never make nullable
// (`comment: null` on a video report, an account's `description: null`, a video's unset
// `category: { id: null }`), so null is accepted in any field. PeerTube's actors also carry
// `banners` and `hostRedundancyAllowed`, which its types leave out: those two may appear.
// The blocked video is labelled (category, licence, language), dated (originallyPublishedAt) and
// scheduled (scheduledUpdate), so those fields are checked filled in, not only null.
//
// Needs the debug binaries (`cargo build --workspace --bins`).

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { apiCall, createUser, here, startInstance, uploadAndWait } from './instance.mjs'

const checks = [
  // [variable, type, route, whose token]
  ['adminAbuses', 'ResultList<AdminAbuse>', '/abuses?sort=-createdAt', 'root'],
  // PeerTube's UserAbuse keeps AdminAbuse's `video` (with countReports and nthReport) while its
  // server sends a UserVideoAbuse there (AbuseModel.toFormattedUserJSON): its own type for it.
  ['userAbuses', "ResultList<Omit<UserAbuse, 'video'> & { video?: UserVideoAbuse }>", '/users/me/abuses?sort=-createdAt', 'reporter'],
  ['abuseMessages', 'ResultList<AbuseMessage>', null, 'reporter'],
  ['blockedVideos', 'ResultList<VideoBlacklist>', '/videos/blacklist', 'root'],
  ['myMutedAccounts', 'ResultList<AccountBlock>', '/users/me/blocklist/accounts', 'reporter'],
  ['myMutedServers', 'ResultList<ServerBlock>', '/users/me/blocklist/servers', 'reporter'],
  ['instanceMutedAccounts', 'ResultList<AccountBlock>', '/server/blocklist/accounts', 'root'],
  ['instanceMutedServers', 'ResultList<ServerBlock>', '/server/blocklist/servers', 'root'],
  ['blockStatus', 'BlockStatus', null, 'reporter']
]

test('moderation answers are typed as PeerTube types them', { timeout: 600000 }, async () => {
  const instance = await startInstance()
  try {
    const root = { token: instance.token }
    const reporter = await createUser(instance, 'reporter')
    const author = await createUser(instance, 'author')
    const video = await uploadAndWait(instance, 'video_very_short_240p.mp4', { name: 'Typed video' })
    // Labelled category, licence and language, an original publication date and a scheduled
    // update, so the blocked video's `Video` carries each of them filled in.
    const other = await uploadAndWait({ ...instance, token: author.token, channel: author.channel }, 'video_very_short_240p.mp4',
      { name: 'Author video', category: '15', licence: '7', language: 'fr', originallyPublishedAt: '2001-09-09T01:46:40.000Z' })
    await apiCall(instance, author.token, `/videos/${other.uuid}`, { method: 'PUT', json: { scheduleUpdate: { updateAt: '2099-01-01T00:00:00.000Z', privacy: 2 } } })
    const comment = (await apiCall(instance, author.token, `/videos/${video.uuid}/comment-threads`, { method: 'POST', json: { text: 'A rude comment' } })).comment

    // Reports of each kind, with every optional field the forms send.
    const videoReport = (await apiCall(instance, reporter.token, '/abuses', {
      method: 'POST', json: { reason: 'Spam in the middle', predefinedReasons: ['spamOrMisleading', 'rights'], video: { id: video.id, startAt: 1, endAt: 3 } }
    })).abuse
    await apiCall(instance, reporter.token, '/abuses', { method: 'POST', json: { reason: 'Rude words', predefinedReasons: ['hatefulOrAbusive'], comment: { id: comment.id } } })
    const me = await apiCall(instance, author.token, '/users/me')
    await apiCall(instance, reporter.token, '/abuses', { method: 'POST', json: { reason: 'Impersonation', account: { id: me.account.id } } })
    await apiCall(instance, reporter.token, `/abuses/${videoReport.id}/messages`, { method: 'POST', json: { message: 'More details here' } })
    await apiCall(instance, instance.token, `/abuses/${videoReport.id}/messages`, { method: 'POST', json: { message: 'Thanks, we look into it' } })
    await apiCall(instance, instance.token, `/abuses/${videoReport.id}`, { method: 'PUT', json: { state: 3, moderationComment: 'Checked, it is spam' } })

    await apiCall(instance, instance.token, `/videos/${other.uuid}/blacklist`, { method: 'POST', json: { reason: 'Typed block', unfederate: true } })
    await apiCall(instance, reporter.token, '/users/me/blocklist/accounts', { method: 'POST', json: { accountName: 'author' } })
    await apiCall(instance, reporter.token, '/users/me/blocklist/servers', { method: 'POST', json: { host: 'muted.example' } })
    await apiCall(instance, instance.token, '/server/blocklist/accounts', { method: 'POST', json: { accountName: 'author' } })
    await apiCall(instance, instance.token, '/server/blocklist/servers', { method: 'POST', json: { host: 'blocked.example' } })

    const tokens = { root: root.token, reporter: reporter.token }
    const host = new URL(instance.base).host
    const routes = {
      abuseMessages: `/abuses/${videoReport.id}/messages`,
      blockStatus: `/blocklist/status?accounts=author@${host}&accounts=reporter&hosts=muted.example&hosts=blocked.example&hosts=other.example`
    }
    const lines = [
      "import type { AbuseMessage, AccountBlock, AdminAbuse, BlockStatus, ResultList, ServerBlock, UserAbuse, UserVideoAbuse, VideoBlacklist } from '@peertube/peertube-types'",
      '',
      '/**',
      ' * What JSON makes of T: dates travel as strings, and any field may be null (PeerTube\'s server',
      ' * sends `video: null` on a comment report, `description: null`, `category: { id: null }`,',
      ' * which its types never say); its actors also carry `banners` and `hostRedundancyAllowed`, which its',
      ' * types leave out (ActorModel.toFormattedJSON). Every other field must be there, with its type,',
      ' * and no other field may be unknown.',
      ' */',
      'type ActorExtras = { banners?: unknown, hostRedundancyAllowed?: unknown }',
      'type Json<T> = T extends Date ? string : T extends Array<infer U> ? Array<Json<U>> : T extends object',
      '  ? { [K in keyof T]: Json<T[K]> | null } & ActorExtras',
      '  : T',
      ''
    ]
    for (const [name, type, route, who] of checks) {
      const answer = await apiCall(instance, tokens[who], route ?? routes[name])
      if (type.startsWith('ResultList')) assert.ok(answer.data.length > 0, `${route ?? routes[name]} lists something`)
      lines.push(`export const ${name}: Json<${type}> = ${JSON.stringify(answer, null, 2)}`, '')
    }
    const blocked = (await apiCall(instance, instance.token, '/videos/blacklist')).data.find((b) => b.video.uuid === other.uuid).video
    assert.deepEqual([blocked.category, blocked.licence, blocked.language],
      [{ id: 15, label: 'Science & Technology' }, { id: 7, label: 'Public Domain Dedication' }, { id: 'fr', label: 'French' }])
    assert.equal(blocked.originallyPublishedAt, '2001-09-09T01:46:40.000Z')
    assert.deepEqual(blocked.scheduledUpdate, { updateAt: '2099-01-01T00:00:00.000Z', privacy: 2 })
    const dir = join(here, 'types-check')
    mkdirSync(dir, { recursive: true })
    const file = join(dir, 'moderation-answers.ts')
    writeFileSync(file, lines.join('\n'))
    const tsc = spawnSync(join(here, 'node_modules', '.bin', 'tsc'), [
      '--strict', '--noEmit', '--skipLibCheck', '--target', 'es2022', '--module', 'esnext', '--moduleResolution', 'bundler', file
    ], { encoding: 'utf8', timeout: 120000 })
    assert.equal(tsc.status, 0, `tsc found type errors in ${file}:\n${tsc.stdout}${tsc.stderr}`)
  } finally {
    instance.stop()
  }
})
