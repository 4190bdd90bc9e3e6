"""Styles every kit page shares: a focus ring you can see, and nothing wider than its column.

Included in the exercise widgets, the welcome page, the plan and the dashboard (a ``<style>``
anywhere on a page applies to all of it): after the palette and each one's own ``templates/*.css`` through
``workshop_kit.templating.style``.  ``!important`` is needed twice over: ipywidgets
draws its own 1 px light-blue focus outline with more specific selectors, and sets label
widths as inline styles.
"""

# The widest a control (label and box, with ipywidgets' 2 px margin each side) may be in its column.
CONTROL_MAX_WIDTH = "calc(100% - 4px)"
FOCUS_COLOUR = "var(--nhs-black)"  # templates/palette.css, which style() puts first: 15:1 against the white page the ring sits on

PAGE_CSS = f"""
.jupyter-widgets :focus-visible, .jupyter-widgets:focus-visible, .wk-md a:focus-visible, .jp-RenderedHTMLCommon a:focus-visible,
.jupyter-widgets input:focus, .jupyter-widgets textarea:focus, .jupyter-widgets select:focus {{
  outline: 3px solid {FOCUS_COLOUR} !important; outline-offset: 2px !important; }}
.wk-exercise, .wk-dash, .wk-dash .wk-card, .wk-progress, .wk-plan {{ max-width: 100%; box-sizing: border-box; }}
.wk-exercise .widget-box, .wk-dash .widget-box {{ min-width: 0; max-width: 100%; }}
.wk-exercise .widget-html-content, .wk-dash .widget-html-content, .wk-app .widget-html-content {{ min-width: 0; max-width: 100%; }}
.wk-exercise .widget-inline-hbox, .wk-dash .widget-inline-hbox {{ max-width: calc(100% - 2 * var(--jp-widgets-margin, 2px)); }}
.wk-exercise .jupyter-button, .wk-dash .jupyter-button, .wk-app .jupyter-button {{
  white-space: normal; height: auto; min-height: var(--jp-widgets-inline-height, 28px); overflow: visible; flex-shrink: 0; max-width: 100%; }}
.wk-exercise td, .wk-exercise th, .wk-exercise li, .wk-dash td, .wk-dash th, .wk-dash li, .wk-dash p, .wk-dash h2, .wk-exercise p,
.wk-md td, .wk-md th, .wk-progress td, .wk-progress th, .wk-progress caption {{ overflow-wrap: anywhere; }}
.wk-exercise svg, .wk-exercise img, .wk-dash img {{ max-width: 100%; height: auto; }}
@media (max-width: 40rem) {{
  /* a phone: each label above its control, the control as wide as the column */
  .wk-exercise .widget-inline-hbox, .wk-dash .widget-inline-hbox {{ flex-wrap: wrap; width: calc(100% - 2 * var(--jp-widgets-margin, 2px)) !important;
    height: auto !important; }}
  .wk-exercise .widget-inline-hbox > .widget-label, .wk-dash .widget-inline-hbox > .widget-label {{
    width: 100% !important; max-width: 100%; text-align: left; margin-bottom: 2px; }}
  .wk-exercise .widget-inline-hbox > input, .wk-exercise .widget-inline-hbox > textarea,
  .wk-exercise .widget-inline-hbox > select, .wk-dash .widget-inline-hbox > select {{ flex: 1 1 100%; min-width: 0; }}
  .wk-exercise .widget-inline-hbox > select, .wk-dash .widget-inline-hbox > select, .wk-exercise .widget-inline-hbox > input {{
    min-height: var(--jp-widgets-inline-height, 28px); }}
  .wk-exercise {{ padding: 8px 10px; }}
}}
"""
