// Joining and leaving in headless Chromium against a real `kinora serve` (issue 19): with
// registration open, a visitor finds "Create an account" on the login page, is refused a taken
// name (the field is named), signs up, is logged in at once and lands on their settings; later
// they delete their own account and can no longer log in. When the administrator closes
// registration at run time, the sign-up page says so and offers no form.
//
// Needs the debug binaries (`cargo build --workspace --bins`) and Chromium.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { apiCall, ensureWebBuild, launchBrowser, screenshots, startInstance } from './instance.mjs'

test('sign up, delete one\'s account, closed registration', { timeout: 600000 }, async (t) => {
  mkdirSync(screenshots, { recursive: true })
  const webRoot = ensureWebBuild()
  const instance = await startInstance({ webRoot, extra: '[instance]\nregistration = "open"\n' })
  const browser = await launchBrowser()
  const errors = []
  try {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true })
    const page = await context.newPage()
    page.setDefaultTimeout(20000)
    page.on('pageerror', (error) => errors.push(String(error)))

    await t.test('a visitor signs up and is logged in', async () => {
      await page.goto(`${instance.base}/login`)
      await page.getByTestId('signup-link').getByRole('link').click()
      await page.getByRole('heading', { name: 'Sign up' }).waitFor()
      assert.equal(await page.title(), 'Sign up - Kinora')
      const fill = async (name) => {
        await page.getByTestId('signup-username').fill(name)
        await page.getByTestId('signup-display-name').fill('Nora New')
        await page.getByTestId('signup-email').fill(`${name}@example.org`)
        await page.getByTestId('signup-password').fill('a fine long password')
        await page.getByTestId('signup-age').check()
        await page.getByTestId('signup-submit').click()
      }
      await fill('root')
      await page.getByTestId('signup-status').getByText(/Not created/).waitFor()
      await fill('nora')
      await page.waitForURL('**/my-account/settings')
      await page.getByTestId('preferences-form').waitFor()
      assert.equal(await page.getByTestId('pref-display-name').inputValue(), 'Nora New')
      await page.getByTestId('user-menu').waitFor()
      await page.screenshot({ path: join(screenshots, 'signed-up.png'), fullPage: true })
    })

    await t.test('they delete their own account', async () => {
      await page.getByTestId('delete-confirm').fill('not my name')
      await page.getByTestId('delete-account').click()
      await page.getByTestId('delete-status').getByText(/Type nora to confirm/).waitFor()
      await page.getByTestId('delete-confirm').fill('nora')
      await page.getByTestId('delete-account').click()
      await page.getByTestId('login-link').waitFor()
      const answer = await fetch(`${instance.base}/api/v1/accounts/nora`)
      assert.equal(answer.status, 404)
      await page.goto(`${instance.base}/login`)
      await page.getByTestId('login-username').fill('nora')
      await page.getByTestId('login-password').fill('a fine long password')
      await page.getByTestId('login-submit').click()
      await page.getByText('Wrong username or password.').waitFor()
    })

    await t.test('by approval: a request with its reason, accepted from the moderation page', async () => {
      await apiCall(instance, instance.token, '/config/custom', { method: 'PUT', json: { signup: { enabled: true, requiresApproval: true } } })
      await page.goto(`${instance.base}/signup`)
      await page.getByTestId('signup-username').fill('paula')
      await page.getByTestId('signup-display-name').fill('Paula')
      await page.getByTestId('signup-email').fill('paula@example.org')
      await page.getByTestId('signup-password').fill('a fine long password')
      await page.getByTestId('signup-reason').fill('I make films about rivers.')
      await page.getByTestId('signup-age').check()
      await page.getByTestId('signup-submit').click()
      await page.getByRole('heading', { name: 'Request sent' }).waitFor()
      const refused = await fetch(`${instance.base}/api/v1/users/token`, {
        method: 'POST',
        body: new URLSearchParams({ ...(await (await fetch(`${instance.base}/api/v1/oauth-clients/local`)).json()), grant_type: 'password', username: 'paula', password: 'a fine long password' })
      })
      assert.equal(refused.status, 400)
      assert.equal((await refused.json()).code, 'account_waiting_for_approval')

      const staff = await (await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true })).newPage()
      staff.setDefaultTimeout(20000)
      staff.on('pageerror', (error) => errors.push(String(error)))
      await staff.goto(`${instance.base}/login`)
      await staff.getByTestId('login-username').fill('root')
      await staff.getByTestId('login-password').fill(instance.password)
      await staff.getByTestId('login-submit').click()
      await staff.getByTestId('user-menu').waitFor()
      await staff.goto(`${instance.base}/admin/moderation/registrations`)
      const row = staff.getByTestId('registration-row').filter({ hasText: 'paula' })
      await row.getByTestId('registration-reason').getByText('I make films about rivers.').waitFor()
      await staff.screenshot({ path: join(screenshots, 'registrations.png'), fullPage: true })
      await row.getByRole('button', { name: 'Accept' }).click()
      await row.getByTestId('registration-accept-reason').fill('Welcome!')
      await row.getByTestId('registration-accept-confirm').click()
      await staff.getByTestId('registration-done').getByText('paula can log in now.').waitFor()
      await staff.context().close()

      await page.goto(`${instance.base}/login`)
      await page.getByTestId('login-username').fill('paula')
      await page.getByTestId('login-password').fill('a fine long password')
      await page.getByTestId('login-submit').click()
      await page.getByTestId('user-menu').waitFor()
    })

    await t.test('closed at run time: the page says so', async () => {
      await apiCall(instance, instance.token, '/config/custom', { method: 'PUT', json: { signup: { enabled: false } } })
      await page.goto(`${instance.base}/signup`)
      await page.getByText('does not take new accounts').waitFor()
      assert.equal(await page.getByTestId('signup-submit').count(), 0)
    })

    assert.deepEqual(errors, [])
  } finally {
    await browser.close()
    instance.stop()
  }
})
