// A user's own JSON checked against PeerTube's published TypeScript types
// (@peertube/peertube-types, pinned in package.json), as instance-types.test.mjs does for the
// instance pages: the real answers of `GET /api/v1/users/me` after `PUT /api/v1/users/me`
// (`Partial<MyUser>`: each field Kinora sends must be PeerTube's, with its type), the
// notifications of a follow, a new video, a published video, a comment, a report and its answer
// (`ResultList<UserNotification>`) and the watch history (`ResultList<Video>` items with
// `userHistory`) are written into a .ts file, and `tsc --strict --noEmit` must accept it.
//
// Needs the debug binaries (`cargo build --workspace --bins`) and the fixtures.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { apiCall, assertTyped, createUser, startInstance, uploadAndWait } from './instance.mjs'

test('my user, notifications and history are typed as PeerTube types them', { timeout: 600000 }, async () => {
  const instance = await startInstance()
  try {
    const fan = await createUser(instance, 'typedfan')
    await apiCall(instance, fan.token, '/users/me/subscriptions', { method: 'POST', json: { uri: instance.channelName } })
    const video = await uploadAndWait(instance, 'video_short.mp4', { name: 'Typed video' })
    await apiCall(instance, fan.token, `/videos/${video.uuid}/comment-threads`, { method: 'POST', json: { text: 'Typed comment' } })
    const report = await apiCall(instance, fan.token, '/abuses', { method: 'POST', json: { reason: 'Typed reason for a report', video: { id: video.id } } })
    await apiCall(instance, instance.token, `/abuses/${report.abuse.id}`, { method: 'PUT', json: { state: 2 } })
    await apiCall(instance, fan.token, `/videos/${video.uuid}/watching`, { method: 'PUT', json: { currentTime: 3 } })
    await apiCall(instance, fan.token, '/users/me', {
      method: 'PUT',
      json: { displayName: 'Typed Fan', nsfwPolicy: 'blur', p2pEnabled: false, videoLanguages: ['en'], videosHistoryEnabled: true }
    })
    const rootNotifications = await apiCall(instance, instance.token, '/users/me/notifications?count=100')
    const fanNotifications = await apiCall(instance, fan.token, '/users/me/notifications?count=100')
    const kinds = (list) => list.data.map((n) => n.type).sort((a, b) => a - b)
    assert.deepEqual(kinds(rootNotifications), [2, 3, 6, 10])
    assert.deepEqual(kinds(fanNotifications), [1, 15])
    const answers = {
      me: ['Partial<MyUser>', await apiCall(instance, fan.token, '/users/me')],
      rootNotifications: ['ResultList<UserNotification>', rootNotifications],
      fanNotifications: ['ResultList<UserNotification>', fanNotifications],
      history: ['ResultList<Partial<Video>>', await apiCall(instance, fan.token, '/users/me/history/videos')]
    }
    assert.equal(answers.history[1].data[0].userHistory.currentTime, 3)
    assertTyped('user-answers.ts', [
      "import type { ActorImage, MyUser, ResultList, UserNotification, Video } from '@peertube/peertube-types'",
      '',
      '/**',
      ' * What JSON makes of T: dates travel as strings, and PeerTube sends null where its types never',
      ' * say so; its actors also carry `banners` and `hostRedundancyAllowed`, which its Account type',
      ' * leaves out (ActorModel.toFormattedJSON), as avatars.test.mjs allows. No other field may.',
      ' */',
      'type ActorExtras = { banners?: Array<Json<ActorImage>>, hostRedundancyAllowed?: boolean }',
      'type Json<T> = T extends Date ? string : T extends Array<infer U> ? Array<Json<U>> : T extends object',
      '  ? { [K in keyof T]: Json<T[K]> | null } & ActorExtras',
      '  : T'
    ], answers)
  } finally {
    instance.stop()
  }
})
