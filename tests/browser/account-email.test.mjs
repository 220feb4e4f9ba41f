// The links of account e-mails in headless Chromium, against a real `kinora serve` that sends
// through a real SMTP server (aiosmtpd, tests/smtp/capture.py): a visitor signs up on an instance
// that requires verified addresses, is told to check their e-mail, opens the link from the
// message and logs in; later they forget their password, ask for a link from the login page,
// choose a new password on the page the link opens, and log in with it.
//
// Needs the debug binaries (`cargo build --workspace --bins`), Chromium and aiosmtpd
// (`scripts/install-clients`).

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { ensureWebBuild, freePort, launchBrowser, repo, screenshots, startInstance } from './instance.mjs'

const python = process.env.KINORA_SMTP_PYTHON || '/var/tmp/kinora-clients/smtp/bin/python'

/** Starts the capture server; `{ port, messages(), stop }`. */
async function startSmtp () {
  const dir = mkdtempSync(join(tmpdir(), 'kinora-smtp-'))
  const port = await freePort()
  const child = spawn(python, [join(repo, 'tests', 'smtp', 'capture.py'), String(port), dir], { stdio: ['pipe', 'pipe', 'inherit'] })
  await new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`capture.py exited with ${code}`)))
    createInterface({ input: child.stdout }).once('line', (line) => line.trim() === 'ready' ? resolve() : reject(new Error(line)))
  })
  const messages = () => readdirSync(dir).filter((name) => name.endsWith('.json')).sort()
    .map((name) => JSON.parse(readFileSync(join(dir, name), 'utf8')))
  return { port, messages, stop: () => { child.kill('SIGTERM'); rmSync(dir, { recursive: true, force: true }) } }
}

/** The `count`-th message to `to`, within 30 s. */
async function waitForMessage (smtp, to, count) {
  const deadline = Date.now() + 30000
  for (;;) {
    const found = smtp.messages().filter((message) => message.to.includes(to))
    if (found.length >= count) return found[count - 1]
    if (Date.now() > deadline) throw new Error(`no message ${count} to ${to}: ${JSON.stringify(smtp.messages())}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

function linkIn (text, prefix) {
  const start = text.indexOf(prefix)
  assert.ok(start >= 0, `no ${prefix} in ${text}`)
  return text.slice(start).split(/\s/)[0]
}

test('verify an address and reset a password from e-mailed links', { timeout: 600000 }, async (t) => {
  mkdirSync(screenshots, { recursive: true })
  const webRoot = ensureWebBuild()
  const smtp = await startSmtp()
  const instance = await startInstance({
    webRoot,
    extra: '[instance]\nregistration = "open"\nsignup_requires_email_verification = true\n' +
      `[smtp]\nhost = "127.0.0.1"\nport = ${smtp.port}\ntls = "none"\nfrom_address = "kinora@example.org"\n`
  })
  const browser = await launchBrowser()
  const errors = []
  try {
    const page = await (await browser.newContext()).newPage()
    page.setDefaultTimeout(20000)
    page.on('pageerror', (error) => errors.push(String(error)))

    await t.test('sign up, verify from the e-mail, log in', async () => {
      await page.goto(`${instance.base}/signup`)
      await page.getByTestId('signup-username').fill('vera')
      await page.getByTestId('signup-display-name').fill('Vera')
      await page.getByTestId('signup-email').fill('vera@example.org')
      await page.getByTestId('signup-password').fill('the first password')
      await page.getByTestId('signup-age').check()
      await page.getByTestId('signup-submit').click()
      await page.getByTestId('signup-verify').getByText('vera@example.org').waitFor()
      const message = await waitForMessage(smtp, 'vera@example.org', 1)
      const link = linkIn(message.text, `${instance.base}/verify-account/email?`)
      await page.goto(link)
      await page.getByTestId('verify-status').getByText(/is verified/).waitFor()
      assert.equal(await page.title(), 'Verify my e-mail address - Kinora')
      await page.screenshot({ path: join(screenshots, 'email-verified.png'), fullPage: true })
      // Used once: opening it again says so.
      await page.goto(link)
      await page.getByTestId('verify-status').getByText(/not valid any more/).waitFor()
      await page.goto(`${instance.base}/login`)
      await page.getByTestId('login-username').fill('vera')
      await page.getByTestId('login-password').fill('the first password')
      await page.getByTestId('login-submit').click()
      await page.getByTestId('user-menu').waitFor()
    })

    await t.test('forgot the password: ask from the login page, choose a new one', async () => {
      const context = await browser.newContext()
      const fresh = await context.newPage()
      fresh.setDefaultTimeout(20000)
      fresh.on('pageerror', (error) => errors.push(String(error)))
      await fresh.goto(`${instance.base}/login`)
      await fresh.getByTestId('forgot-link').getByRole('link').click()
      await fresh.getByRole('heading', { name: 'Reset my password' }).waitFor()
      await fresh.getByTestId('ask-email').fill('vera@example.org')
      await fresh.getByTestId('ask-submit').click()
      await fresh.getByTestId('ask-status').getByText(/a link is on its way/).waitFor()
      const message = await waitForMessage(smtp, 'vera@example.org', 2)
      assert.match(message.subject, /Reset your password/)
      await fresh.goto(linkIn(message.text, `${instance.base}/reset-password?`))
      await fresh.getByTestId('reset-password').fill('the second password')
      await fresh.getByTestId('reset-password-again').fill('not the same')
      await fresh.getByTestId('reset-submit').click()
      await fresh.getByTestId('reset-status').getByText(/differ/).waitFor()
      await fresh.getByTestId('reset-password-again').fill('the second password')
      await fresh.getByTestId('reset-submit').click()
      await fresh.getByTestId('reset-done').waitFor()
      await fresh.screenshot({ path: join(screenshots, 'password-reset.png'), fullPage: true })
      await fresh.getByTestId('reset-done').getByRole('link', { name: 'Log in' }).click()
      await fresh.getByTestId('login-username').fill('vera')
      await fresh.getByTestId('login-password').fill('the second password')
      await fresh.getByTestId('login-submit').click()
      await fresh.getByTestId('user-menu').waitFor()
      await context.close()
    })

    assert.deepEqual(errors, [])
  } finally {
    await browser.close()
    instance.stop()
    smtp.stop()
  }
})
