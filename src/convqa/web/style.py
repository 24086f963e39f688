"""The page's stylesheet (Gradio 6 takes it at launch: ``launch(css=CSS)``).

Mobile first: everything fits a 390 px wide screen without sideways scrolling. The page
scrolls as one: the conversation grows with its messages, and no message, passage or
article is put in a scroll box of its own (a passage folds instead). A one-line bar with
the title and the language, and the tabs under it, stay at the top; nothing else floats
over the text.
"""

CSS = """
/* The page: narrow margins on phones, a readable column on wide screens. */
.gradio-container { max-width: 920px !important; margin: 0 auto !important; padding: 0 10px !important; }
/* The bar (title, language) and the tabs stick to the top, opaque: PAGE_JS sets --cq-bar to
   the bar's height, so the tabs stick right under it. */
#cq-top { position: sticky; top: 0; z-index: 30; background: var(--body-background-fill);
          align-items: center; gap: 8px; flex-wrap: nowrap; padding: 4px 0; }
#cq-heading { flex: 1 1 0 !important; min-width: 0 !important; contain: inline-size; }  /* a long title never widens the page */
#cq-heading h3 { margin: 0; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
#cq-intro p { margin: 0; font-size: 0.92em; color: var(--body-text-color-subdued); }
#cq-lang { flex: 0 0 auto !important; width: auto !important; min-width: 0 !important; }
#cq-lang .wrap { flex-wrap: nowrap; gap: 4px; }
#cq-lang label { padding: 2px 8px; font-size: 0.85em; }
#cq-tabs > .tab-wrapper { position: sticky; top: var(--cq-bar, 44px); z-index: 29; background: var(--body-background-fill); }
@media (max-width: 640px) {
  #cq-intro { display: none; }
  #cq-heading h3 { font-size: 1em; }
  /* The switch as two words, the chosen one coloured: its radio dots leave the title room. */
  #cq-lang label { padding: 2px 8px; }
  #cq-lang input { position: absolute; opacity: 0; width: 1px; height: 1px; margin: 0; }
}

/* The conversation grows with its messages: Gradio's own scroll box, its fixed height and its
   floating "scroll down" button are lifted; the trash icon gets a strip of its own above the
   first message. Sideways, long words wrap (clip keeps the page from scrolling sideways
   without making a scroll box). */
#cq-chat, #cq-chat > .wrapper, #cq-chat .panel-wrap, #cq-chat .bubble-wrap {
  height: auto !important; max-height: none !important; overflow-y: visible !important; overflow-x: clip !important; }
#cq-chat .scroll-down-button-container { display: none !important; }
#cq-chat .message-wrap { padding-top: 30px; }
#cq-chat .panel-wrap .message-row:first-child { padding-top: var(--spacing-xl); }
#cq-chat .message-row .message, #cq-chat .message-wrap .message { max-width: 100% !important; }
#cq-chat .bot, #cq-chat .user { max-width: 100% !important; }
#cq-chat * { overflow-wrap: anywhere; }
#cq-chat table, #cq-chat pre { white-space: pre-wrap; }

/* An answer: the short answer in bold, the quote with the span marked, then the sources. */
.cq-question { white-space: pre-wrap; }
.cq-short { font-weight: 700; font-size: 1.08em; margin-bottom: 4px; }
.cq-answer { font-size: 1.02em; line-height: 1.55; }
.cq-ref { font-size: 0.78em; font-weight: 600; color: var(--color-accent); margin-left: 1px; }
.cq-answer mark, .cq-passage mark, .cq-context-text mark { background: #fde68a; color: #1f2937; padding: 0 2px; border-radius: 2px; }
.cq-quote { background: var(--color-accent-soft, #e0e7ff); border-radius: 2px; }
.cq-abstain { border-left: 4px solid var(--neutral-400); padding: 6px 10px; background: var(--background-fill-secondary); font-style: italic; }
.cq-badge { display: inline-block; font-size: 0.75em; font-weight: 600; text-transform: uppercase; letter-spacing: 0.04em; padding: 1px 8px; border-radius: 999px; background: var(--neutral-200); color: var(--neutral-800); margin-bottom: 6px; font-style: normal; }
.cq-error { border-left: 4px solid var(--error-border-color, #dc2626); padding: 6px 10px; background: var(--error-background-fill, #fef2f2); color: var(--error-text-color, #b91c1c); }
.cq-generator { font-size: 0.78em; color: var(--body-text-color-subdued); margin-top: 4px; }
.cq-sources { margin-top: 10px; border-top: 1px solid var(--border-color-primary); padding-top: 6px; }
.cq-sources-title { font-size: 0.8em; font-weight: 600; text-transform: uppercase; letter-spacing: 0.05em; color: var(--body-text-color-subdued); margin-bottom: 2px; }
details.cq-src { margin: 4px 0; }
details.cq-src > summary { cursor: pointer; font-size: 0.92em; padding: 3px 0; }
.cq-num { font-weight: 700; color: var(--color-accent); margin-right: 4px; }
.cq-title { font-weight: 600; }
.cq-source { margin: 2px 0 8px 0; }
.cq-source-head { font-size: 0.9em; }
.cq-link { font-size: 0.85em; margin-left: 6px; word-break: break-all; }
/* No max-height, no overflow: a passage is read in full, never in a box of its own. */
.cq-passage { margin: 4px 0 2px 0; padding: 4px 10px; border-left: 3px solid var(--color-accent, #6366f1); font-size: 0.94em; line-height: 1.5; color: var(--body-text-color); }
.cq-in-passage { background: var(--background-fill-secondary); }
details.cq-context > summary { cursor: pointer; font-size: 0.9em; font-weight: 600; color: var(--link-text-color, var(--color-accent)); margin-top: 4px; }
.cq-context-text { font-size: 0.92em; line-height: 1.5; padding: 6px 10px; }
.cq-snippet { color: var(--body-text-color-subdued); }
.cq-report { white-space: pre-wrap; }

/* The articles panel: a list that wraps on phones. */
.cq-articles { list-style: none; padding: 0; margin: 0; }
.cq-articles li { padding: 6px 0; border-bottom: 1px solid var(--border-color-primary); }
.cq-articles .cq-meta { font-size: 0.85em; color: var(--body-text-color-subdued); }
"""

#: Rules for the elements around Gradio's content, which ``launch(css=…)`` cannot reach
#: (Gradio scopes those rules inside its content): given as ``launch(head=…)``. Gradio's
#: container hides its overflow, which would make it the bar's scroll box: it clips instead,
#: so the bar sticks to the window. The footer's "·" follows a link a phone hides: gone.
HEAD = """<style>
.gradio-container { overflow: visible !important; overflow-x: clip !important; }
footer .divider { display: none !important; }
@media (max-width: 640px) {
  .gradio-container { padding: 0 !important; }
  .gradio-container .main.app { padding: 8px 8px !important; }
  footer { display: none !important; }
}
</style>"""
