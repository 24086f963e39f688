"""The page's stylesheet (Gradio 6 takes it at launch: ``launch(css=CSS)``).

Mobile first: everything fits a 390 px wide screen without sideways scrolling, and a
passage is never put in a scroll box of its own (it folds instead): the only scrolling
is the page's and the conversation's.
"""

CSS = """
/* The page: narrow margins on phones, a readable column on wide screens. */
.gradio-container { max-width: 920px !important; margin: 0 auto !important; padding: 0 10px !important; }
#cq-top { align-items: center; gap: 8px; flex-wrap: nowrap; }
#cq-intro { flex: 1 1 0 !important; min-width: 0 !important; }
#cq-intro h3 { margin: 6px 0 2px 0; }
#cq-intro p { margin: 0; font-size: 0.92em; color: var(--body-text-color-subdued); }
#cq-lang { flex: 0 0 auto !important; width: auto !important; min-width: 0 !important; }
#cq-lang .wrap { flex-wrap: nowrap; gap: 4px; }
#cq-lang label { padding: 2px 8px; font-size: 0.85em; }
@media (max-width: 640px) {
  #cq-intro p { display: none; }
}

/* The conversation: messages use the width they are given. */
#cq-chat { overflow-x: hidden; }
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
#: (Gradio scopes those rules inside its content): given as ``launch(head=…)``.
HEAD = """<style>
@media (max-width: 640px) {
  .gradio-container { padding: 0 !important; }
  .gradio-container .main.app { padding: 8px 8px !important; }
}
</style>"""
