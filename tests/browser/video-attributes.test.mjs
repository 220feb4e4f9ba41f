// A video's attributes in the web front end (web/), in headless Chromium against a real
// `kinora serve`: on the edit page a creator picks category, licence and language from the
// instance's tables, marks the video NSFW, turns downloads off, writes a support text, sets the
// original publication date and the comments policy; the API then answers them (NSFW videos
// leave the default list), the page shows them again after a reload, and "—" clears a choice.
// The upload page sends the same attributes with a new video.
//
// Needs the debug binaries (`cargo build -p kinora-server --bins`) and Chromium; the front end
// is built first when web/dist is older than its sources.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { apiCall, createUser, ensureWebBuild, fixtures, launchBrowser, screenshots, startInstance, uploadAs } from './instance.mjs'

test('the edit and upload pages set category, licence, language, NSFW and the rest', { timeout: 900000 }, async (t) => {
  const webRoot = ensureWebBuild()
  mkdirSync(screenshots, { recursive: true })
  const instance = await startInstance({ webRoot })
  const browser = await launchBrowser()
  try {
    const creator = await createUser(instance, 'creator')
    const video = await uploadAs(instance, creator, 'video_very_short_240p.mp4', { name: 'Attribute film' })
    const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } })
    const page = await context.newPage()
    page.setDefaultTimeout(20000)
    const errors = []
    page.on('pageerror', (error) => errors.push(String(error)))
    await page.goto(`${instance.base}/login`)
    await page.getByTestId('login-username').fill(creator.username)
    await page.getByTestId('login-password').fill(creator.password)
    await page.getByTestId('login-submit').click()
    await page.getByTestId('user-menu').waitFor()

    await t.test('the edit page saves every attribute', async () => {
      await page.goto(`${instance.base}/videos/manage/${video.shortUUID}`)
      await page.getByTestId('edit-category').waitFor()
      assert.equal(await page.getByTestId('edit-category').inputValue(), '', 'no category yet')
      assert.equal(await page.getByTestId('edit-download').isChecked(), true, 'downloads on by default')
      await page.getByTestId('edit-category').selectOption({ label: 'Sports' })
      await page.getByTestId('edit-licence').selectOption({ label: 'Attribution - Share Alike' })
      await page.getByTestId('edit-language').selectOption({ label: 'French' })
      await page.getByTestId('edit-nsfw').check()
      await page.getByTestId('edit-download').uncheck()
      await page.getByTestId('edit-support').fill('Buy me a coffee, please.')
      await page.getByTestId('edit-original').fill('2001-09-09')
      await page.locator('#edit-comments').selectOption('3')
      await page.screenshot({ path: join(screenshots, 'edit-attributes.png'), fullPage: true })
      await page.getByTestId('edit-save').click()
      await page.getByTestId('edit-status').getByText('Saved.').waitFor()

      const saved = await apiCall(instance, creator.token, `/videos/${video.uuid}`)
      assert.deepEqual(saved.category, { id: 5, label: 'Sports' })
      assert.deepEqual(saved.licence, { id: 2, label: 'Attribution - Share Alike' })
      assert.deepEqual(saved.language, { id: 'fr', label: 'French' })
      assert.equal(saved.nsfw, true)
      assert.equal(saved.downloadEnabled, false)
      assert.equal(saved.support, 'Buy me a coffee, please.')
      assert.equal(saved.originallyPublishedAt, '2001-09-09T00:00:00.000Z')
      assert.equal(saved.commentsPolicy.id, 3)
      // NSFW: out of the default list, there when asked for.
      const listed = async (query) => (await apiCall(instance, null, `/videos${query}`)).data.map((v) => v.uuid)
      assert.ok(!(await listed('')).includes(video.uuid), 'an NSFW video leaves the default list')
      assert.ok((await listed('?nsfw=both')).includes(video.uuid))
      assert.ok((await listed('?categoryOneOf=5&nsfw=true&languageOneOf=fr')).includes(video.uuid))

      // After a reload the page shows what was saved.
      await page.reload()
      await page.getByTestId('edit-category').waitFor()
      assert.equal(await page.getByTestId('edit-category').inputValue(), '5')
      assert.equal(await page.getByTestId('edit-licence').inputValue(), '2')
      assert.equal(await page.getByTestId('edit-language').inputValue(), 'fr')
      assert.equal(await page.getByTestId('edit-nsfw').isChecked(), true)
      assert.equal(await page.getByTestId('edit-download').isChecked(), false)
      assert.equal(await page.getByTestId('edit-original').inputValue(), '2001-09-09')
      assert.equal(await page.getByTestId('edit-support').inputValue(), 'Buy me a coffee, please.')
    })

    await t.test('"—" clears a choice and an empty date clears the original publication', async () => {
      await page.getByTestId('edit-category').selectOption('')
      await page.getByTestId('edit-original').fill('')
      await page.getByTestId('edit-nsfw').uncheck()
      await page.getByTestId('edit-save').click()
      await page.getByTestId('edit-status').getByText('Saved.').waitFor()
      const saved = await apiCall(instance, creator.token, `/videos/${video.uuid}`)
      assert.deepEqual(saved.category, { id: null, label: 'Unknown' })
      assert.equal(saved.originallyPublishedAt, null)
      assert.equal(saved.nsfw, false)
      assert.deepEqual(saved.licence, { id: 2, label: 'Attribution - Share Alike' }, 'untouched choices stay')
    })

    await t.test('the upload page sends the attributes with the new video', async () => {
      await page.goto(`${instance.base}/videos/upload`)
      await page.getByTestId('upload-category').waitFor()
      await page.getByTestId('upload-file').setInputFiles(join(fixtures, 'video_very_short_240p.mp4'))
      await page.getByTestId('upload-name').fill('Uploaded with attributes')
      await page.getByTestId('upload-category').selectOption({ label: 'Education' })
      await page.getByTestId('upload-licence').selectOption({ label: 'Public Domain Dedication' })
      await page.getByTestId('upload-language').selectOption({ label: 'English' })
      await page.getByTestId('upload-nsfw').check()
      await page.getByTestId('upload-comments').selectOption('2')
      await page.getByTestId('upload-original').fill('1999-12-31')
      await page.getByTestId('upload-submit').click()
      await page.getByTestId('upload-status').getByText('Upload complete.').waitFor({ timeout: 120000 })
      const mine = await apiCall(instance, creator.token, '/users/me/videos?search=attributes')
      const listed = mine.data.find((v) => v.name === 'Uploaded with attributes')
      assert.ok(listed, JSON.stringify(mine.data.map((v) => v.name)))
      // The list answers PeerTube's Video; commentsPolicy is in the details only.
      const uploaded = await apiCall(instance, creator.token, `/videos/${listed.uuid}`)
      assert.equal(uploaded.category.id, 13)
      assert.equal(uploaded.licence.id, 7)
      assert.equal(uploaded.language.id, 'en')
      assert.equal(uploaded.nsfw, true)
      assert.equal(uploaded.commentsPolicy.id, 2)
      assert.equal(uploaded.originallyPublishedAt, '1999-12-31T00:00:00.000Z')
    })
    assert.deepEqual(errors, [], 'no page errors')
    await context.close()
  } finally {
    await browser.close()
    await instance.stop()
  }
})
