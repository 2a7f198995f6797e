//! Render benchmarks (criterion). Quick by design: `cargo bench -p letterpress-engine` runs in
//! well under a minute. Timings are measured and reported, never asserted.
//!
//! - `engine/receipt/{en,pl}`: the full pipeline for a realistic receipt held in memory
//!   (layout + partials + macros + Fluent catalogs): Jinja → MJML → mrml → HTML → text.
//! - `mrml/receipt/{en,pl}`: mrml alone (parse + render) on the MJML that the Jinja layer
//!   produced for the same request, with the engine's render options.
//! - `stages/receipt/en/*`: the other stages on their own (lint, text part), to see where the
//!   engine's time goes.

use criterion::{Criterion, criterion_group, criterion_main};
use letterpress_engine::{
    CatalogFile, Engine, Limits, MemorySources, ProjectConfig, RenderRequest,
};
use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

/// The allocator the CLI and the app use.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const CONFIG: &str = r#"
[project]
name = "Bench Co"
default_locale = "en"
locales = ["en", "pl"]

[globals]
company_name = "Bench Co GmbH"
company_address = "Torstraße 140, 10119 Berlin, Germany"
support_email = "support@bench.example.com"
website_url = "https://bench.example.com"
logo_url = "https://bench.example.com/assets/logo@2x.png"
help_center_url = "https://help.bench.example.com"
privacy_url = "https://bench.example.com/legal/privacy"
"#;

const LAYOUT: &str = r##"<mjml lang="{{ locale.lang }}" dir="{{ locale.dir }}">
  {%- set align_start = "right" if locale.dir == "rtl" else "left" %}
  {%- set align_end = "left" if locale.dir == "rtl" else "right" %}
  <mj-head>
    <mj-title>{{ email.subject }}</mj-title>
    <mj-preview>{{ email.preheader }}</mj-preview>
    <mj-attributes>
      <mj-all font-family="Helvetica, Arial, sans-serif" />
      <mj-section padding="0" direction="{{ locale.dir }}" />
      <mj-text align="{{ align_start }}" color="#374151" font-size="15px" line-height="24px" padding="0 0 16px 0" />
      <mj-button align="center" background-color="#4f46e5" color="#ffffff" font-size="15px" font-weight="bold" border-radius="6px" inner-padding="13px 28px" padding="8px 0 24px 0" />
      <mj-table align="{{ align_start }}" color="#374151" font-size="14px" line-height="20px" cellpadding="0" cellspacing="0" padding="0 0 16px 0" />
      <mj-class name="heading" color="#111827" font-size="24px" line-height="32px" font-weight="bold" />
      <mj-class name="muted" color="#6b7280" font-size="13px" line-height="20px" />
      <mj-class name="footer" color="#6b7280" font-size="12px" line-height="18px" align="center" padding="0 0 8px 0" />
      <mj-class name="panel" background-color="#f9fafb" border-radius="8px" padding="20px 24px 4px 24px" />
    </mj-attributes>
    <mj-style>
      a { color: #4f46e5; }
      .footer a { color: #6b7280; text-decoration: underline; }
    </mj-style>
  </mj-head>
  <mj-body background-color="#f3f4f6" width="600px">
    {% include "partials/header.mjml" %}
    <mj-wrapper background-color="#ffffff" border-radius="8px" padding="40px 36px 16px 36px">
      {%- block content %}{% endblock %}
    </mj-wrapper>
    {% include "partials/footer.mjml" %}
  </mj-body>
</mjml>
"##;

const HEADER: &str = r#"<mj-section padding="32px 36px 24px 36px">
  <mj-column>
    <mj-image src="{{ globals.logo_url }}" alt="{{ t("common-logo.alt") }}" href="{{ globals.website_url }}" width="148px" align="{{ align_start }}" />
  </mj-column>
</mj-section>
"#;

const FOOTER: &str = r#"<mj-section padding="24px 36px 40px 36px">
  <mj-column>
    <mj-text mj-class="footer" css-class="footer">
      <a href="{{ globals.help_center_url }}">{{ t("common-help-center") }}</a>
      · <a href="{{ globals.privacy_url }}">{{ t("common-privacy") }}</a>
    </mj-text>
    <mj-text mj-class="footer">{{ globals.company_name }} · {{ globals.company_address }}</mj-text>
    <mj-text mj-class="footer">{{ t("common-copyright", company=globals.company_name) }}</mj-text>
  </mj-column>
</mj-section>
"#;

const MACROS: &str = r#"{% macro button(href, label) -%}
<mj-button href="{{ href }}">{{ label }}</mj-button>
{%- endmacro %}
{% macro row(label, value) -%}
<tr>
  <td style="padding: 0 0 8px 0; color: #6b7280;">{{ label }}</td>
  <td style="padding: 0 0 8px 0; text-align: {{ caller() if caller is defined else "right" }}; color: #111827;">{{ value }}</td>
</tr>
{%- endmacro %}
"#;

const BODY: &str = r#"{% extends "layouts/base.mjml" %}
{% import "partials/macros.mjml" as ui %}
{% block content %}
<mj-section>
  <mj-column>
    <mj-text mj-class="heading">{{ t("receipt-heading", name=customer.first_name) }}</mj-text>
    <mj-text>{{ t("receipt-intro", amount=order.total | money(order.currency), items=order.line_items | length) }}</mj-text>
  </mj-column>
</mj-section>
<mj-section mj-class="panel">
  <mj-column>
    <mj-table>
      {{ ui.row(t("receipt-invoice-number"), invoice.number) }}
      {{ ui.row(t("receipt-invoice-date"), invoice.date | date("long")) }}
      {{ ui.row(t("receipt-payment-method"), t("receipt-payment-card", brand=payment.brand, last4=payment.last4)) }}
    </mj-table>
  </mj-column>
</mj-section>
<mj-section padding="8px 0 0 0">
  <mj-column>
    <mj-table>
      <tr>
        <th style="padding: 8px 0; text-align: {{ align_start }}; color: #6b7280;">{{ t("receipt-col-description") }}</th>
        <th style="padding: 8px 0; text-align: {{ align_end }}; color: #6b7280;">{{ t("receipt-col-quantity") }}</th>
        <th style="padding: 8px 0; text-align: {{ align_end }}; color: #6b7280;">{{ t("receipt-col-amount") }}</th>
      </tr>
      {%- for item in order.line_items %}
      <tr>
        <td style="padding: 10px 0; border-bottom: 1px solid #f3f4f6;"><span dir="auto">{{ item.description }}</span></td>
        <td style="padding: 10px 0; text-align: {{ align_end }};">{{ t("receipt-quantity", count=item.quantity) }}</td>
        <td style="padding: 10px 0; text-align: {{ align_end }};">{{ item.amount | money(order.currency) }}</td>
      </tr>
      {%- endfor %}
      <tr>
        <td colspan="2" style="padding: 12px 0; text-align: {{ align_end }}; font-weight: bold;">{{ t("receipt-total") }}</td>
        <td style="padding: 12px 0; text-align: {{ align_end }}; font-weight: bold;">{{ order.total | money(order.currency) }}</td>
      </tr>
    </mj-table>
    {{ ui.button(invoice.pdf_url, t("receipt-download")) }}
    <mj-text mj-class="muted">{{ t("receipt-questions", email=globals.support_email) }}</mj-text>
  </mj-column>
</mj-section>
{% endblock %}
"#;

const META: &str = r#"description = "Payment receipt"
subject = '{{ t("receipt-subject", number=invoice.number) }}'
preheader = '{{ t("receipt-preheader", amount=order.total | money(order.currency), date=payment.paid_at | date) }}'
"#;

const EN_COMMON: &str = r#"-brand = Bench
common-logo = { -brand }
    .alt = { -brand } logo
common-help-center = Help Center
common-privacy = Privacy Policy
common-copyright = © { $company }. All rights reserved.
"#;

const EN_RECEIPT: &str = r#"receipt-subject = Your { -brand } receipt { $number }
receipt-preheader = We received your payment of { $amount } on { $date }.
receipt-heading = Thanks for your payment, { $name }!
receipt-intro = We received your payment of { $amount } for { $items ->
    [one] one item
   *[other] { $items } items
}. Here is your receipt.
receipt-invoice-number = Invoice number
receipt-invoice-date = Invoice date
receipt-payment-method = Payment method
receipt-payment-card = { $brand } ending in { $last4 }
receipt-col-description = Description
receipt-col-quantity = Qty
receipt-col-amount = Amount
receipt-quantity = { $count ->
    [one] one seat
   *[other] { $count } seats
}
receipt-total = Total paid
receipt-download = Download PDF invoice
receipt-questions = Questions about this invoice? Write to { $email }.
"#;

const PL_COMMON: &str = r#"-brand = Bench
common-logo = { -brand }
    .alt = Logo { -brand }
common-help-center = Centrum pomocy
common-privacy = Polityka prywatności
common-copyright = © { $company }. Wszelkie prawa zastrzeżone.
"#;

const PL_RECEIPT: &str = r#"receipt-subject = Twój rachunek { -brand } { $number }
receipt-preheader = Otrzymaliśmy Twoją płatność { $amount } w dniu { $date }.
receipt-heading = Dziękujemy za płatność, { $name }!
receipt-intro = Otrzymaliśmy Twoją płatność { $amount } za { $items ->
    [one] jedną pozycję
    [few] { $items } pozycje
   *[many] { $items } pozycji
}. Oto Twój rachunek.
receipt-invoice-number = Numer faktury
receipt-invoice-date = Data faktury
receipt-payment-method = Metoda płatności
receipt-payment-card = { $brand } kończąca się na { $last4 }
receipt-col-description = Opis
receipt-col-quantity = Ilość
receipt-col-amount = Kwota
receipt-quantity = { $count ->
    [one] jedno stanowisko
    [few] { $count } stanowiska
   *[many] { $count } stanowisk
}
receipt-total = Zapłacono łącznie
receipt-download = Pobierz fakturę PDF
receipt-questions = Pytania dotyczące faktury? Napisz do { $email }.
"#;

fn data() -> serde_json::Value {
    let items: Vec<serde_json::Value> = [
        ("Business plan (monthly, per seat)", 14, 224.0),
        ("Advanced Reporting add-on", 1, 49.0),
        ("Additional storage, 100 GB", 2, 19.0),
        ("Priority support", 1, 29.0),
        ("Guest seats", 5, 0.0),
        ("SSO connector", 1, 99.0),
    ]
    .into_iter()
    .map(|(d, q, a)| serde_json::json!({ "description": d, "quantity": q, "amount": a }))
    .collect();
    serde_json::json!({
        "customer": { "first_name": "Jonas" },
        "invoice": {
            "number": "NW-2026-004817",
            "date": "2026-03-01",
            "pdf_url": "https://app.bench.example.com/billing/invoices/NW-2026-004817.pdf"
        },
        "order": { "currency": "EUR", "line_items": items, "total": 420.0 },
        "payment": { "brand": "Visa", "last4": "4242", "paid_at": "2026-03-01T06:12:40Z" }
    })
}

fn engine() -> Engine {
    let sources = MemorySources::new()
        .with("letterpress.toml", CONFIG)
        .with("layouts/base.mjml", LAYOUT)
        .with("partials/header.mjml", HEADER)
        .with("partials/footer.mjml", FOOTER)
        .with("partials/macros.mjml", MACROS)
        .with("templates/receipt/template.toml", META)
        .with("templates/receipt/body.mjml", BODY);
    let catalogs = [
        ("en", "common", EN_COMMON),
        ("en", "receipt", EN_RECEIPT),
        ("pl", "common", PL_COMMON),
        ("pl", "receipt", PL_RECEIPT),
    ]
    .into_iter()
    .map(|(locale, name, text)| CatalogFile {
        locale: locale.into(),
        path: format!("locales/{locale}/{name}.ftl"),
        text: text.into(),
    })
    .collect();
    let config = ProjectConfig::parse(CONFIG).expect("bench config parses");
    let engine = Engine::new(config, catalogs, Arc::new(sources), Limits::default());
    assert!(
        engine.load_diagnostics().is_empty(),
        "{:?}",
        engine.load_diagnostics()
    );
    engine
}

/// mrml alone, with the options the engine uses (no include loader needed: Jinja already
/// inlined the partials; no web fonts configured).
fn mrml_render(mjml: &str) -> String {
    let options = mrml::prelude::render::RenderOptions {
        disable_comments: false,
        social_icon_origin: None,
        fonts: Default::default(),
    };
    mrml::parse(mjml)
        .expect("mjml parses")
        .element
        .render(&options)
        .expect("mjml renders")
}

fn benches(c: &mut Criterion) {
    let engine = engine();
    let data = data();
    let mut group = c.benchmark_group("render");
    for locale in ["en", "pl"] {
        let request = RenderRequest {
            template: "receipt",
            locale,
            data: &data,
            variant: None,
        };
        let out = engine.render(&request);
        assert!(out.is_ok(), "{:#?}", out.diagnostics);
        assert!(out.diagnostics.is_empty(), "{:#?}", out.diagnostics);
        assert!(!out.html.is_empty() && !out.text.is_empty());
        let mjml = out.mjml.clone();

        group.bench_function(format!("engine/receipt/{locale}"), |b| {
            b.iter(|| engine.render(black_box(&request)))
        });
        group.bench_function(format!("mrml/receipt/{locale}"), |b| {
            b.iter(|| mrml_render(black_box(&mjml)))
        });
        if locale == "en" {
            let body = BODY.to_owned();
            group.bench_function("stages/receipt/en/lint", |b| {
                b.iter(|| letterpress_engine::mjml::lint_source("body.mjml", black_box(&body)))
            });
            group.bench_function("stages/receipt/en/text", |b| {
                b.iter(|| letterpress_engine::text::html_to_text(black_box(&out.html)))
            });
            // The visual mapping: what the editor's preview costs with markers, and the
            // instrumentation's own passes (mark the source, strip the markers).
            group.bench_function("preview/receipt/en/plain", |b| {
                b.iter(|| engine.render_without_derived_text(black_box(&request)))
            });
            group.bench_function("preview/receipt/en/marked", |b| {
                b.iter(|| engine.render_marked(black_box(&request)))
            });
            group.bench_function("preview/receipt/en/with-markers-checked", |b| {
                b.iter(|| engine.render_with_markers(black_box(&request), false))
            });
            let marked = engine.render_marked(&request).expect("marked render");
            assert_eq!(
                letterpress_engine::instrument::strip_marks(&marked.html),
                engine.render_without_derived_text(&request).html
            );
            group.bench_function("instrument/receipt/mark-source", |b| {
                b.iter(|| letterpress_engine::instrument::mark_source(0, black_box(&body)))
            });
            group.bench_function("instrument/receipt/strip-marks", |b| {
                b.iter(|| letterpress_engine::instrument::strip_marks(black_box(&marked.html)))
            });
        }
    }
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
}

criterion_group! {
    name = render;
    config = config();
    targets = benches
}
criterion_main!(render);
