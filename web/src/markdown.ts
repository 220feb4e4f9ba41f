// Descriptions and comments are Markdown. markdown-it runs with raw HTML off (any tag in the
// source is shown as text) and no images; DOMPurify then keeps only a short list of tags, as a
// second wall. Links open in a new tab without referrer or opener.

import MarkdownIt from 'markdown-it'
import DOMPurify from 'dompurify'

const markdown = new MarkdownIt({ html: false, linkify: true, breaks: true, typographer: false })
markdown.disable(['image', 'table', 'heading', 'lheading', 'hr', 'html_block', 'html_inline'])

const ALLOWED_TAGS = ['a', 'p', 'br', 'strong', 'em', 's', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li']

DOMPurify.addHook('afterSanitizeAttributes', (node) => {
  if (node.tagName === 'A') {
    const href = node.getAttribute('href') ?? ''
    if (!/^(https?:|mailto:|\/|#)/i.test(href)) node.removeAttribute('href')
    node.setAttribute('target', '_blank')
    node.setAttribute('rel', 'noopener noreferrer nofollow')
  }
})

/** A fragment with the rendered Markdown: only the allowed tags, no script, no handlers. */
export function renderMarkdown (source: string | null | undefined): DocumentFragment {
  const html = markdown.render(source ?? '')
  return DOMPurify.sanitize(html, {
    ALLOWED_TAGS,
    ALLOWED_ATTR: ['href', 'target', 'rel'],
    RETURN_DOM_FRAGMENT: true
  })
}
