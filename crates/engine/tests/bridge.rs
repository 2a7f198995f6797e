//! The send-time bridge on small in-memory projects: what it emits (golden), that the
//! service's engine gives the preview's output for each data set, and what it refuses.

use handlebars::Handlebars;
use letterpress_engine::bridge::Dialect;
use letterpress_engine::bundle::{self, Bundle, MANIFEST, Manifest};
use letterpress_engine::{Engine, Limits, MemorySources, ProjectConfig, RenderRequest};
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::Arc;

const CONFIG: &str = "[project]\nname = \"bridge\"\ndefault_locale = \"en\"\nlocales = [\"en\"]\n";

/// A project with one template `t` whose body is `body` (inside a one-column layout).
fn project(body: &str) -> (Engine, BTreeMap<String, String>) {
    let files: BTreeMap<String, String> = [
        ("letterpress.toml", CONFIG.to_owned()),
        (
            "templates/t/template.toml",
            "subject = \"Hi {{ user.name }}\"\n".to_owned(),
        ),
        (
            "templates/t/body.mjml",
            format!(
                "<mjml><mj-body><mj-section><mj-column>{body}</mj-column></mj-section></mj-body></mjml>"
            ),
        ),
    ]
    .into_iter()
    .map(|(p, t)| (p.to_owned(), t))
    .collect();
    let mut sources = MemorySources::new();
    for (p, t) in &files {
        sources.insert(p.clone(), t.as_str());
    }
    let config = ProjectConfig::parse(CONFIG).unwrap();
    let engine = Engine::new(config, Vec::new(), Arc::new(sources), Limits::default());
    (engine, files)
}

/// For each data set: Handlebars (as SES, SendGrid… run it) and a bundle (this engine at send
/// time) give exactly what the preview gives.
fn assert_same_as_preview(body: &str, data_sets: &[serde_json::Value]) {
    let (engine, sources) = project(body);
    let compiled = engine
        .compile_send_time("t", "en", Dialect::Handlebars)
        .unwrap_or_else(|d| panic!("{d:#?}"));
    let mut hb = Handlebars::new();
    // Compared exactly: Handlebars escapes with the preview's escaping here (the studio
    // tests compare with its own escaping and state that normalisation).
    hb.register_escape_fn(letterpress_engine::escape_markup);
    let (entries, compiled_files) = bundle::compile(&engine, &["t".to_owned()]);
    let mut files: BTreeMap<String, String> = sources
        .into_iter()
        .map(|(p, t)| (format!("{}/{p}", bundle::SOURCES_DIR), t))
        .collect();
    files.extend(compiled_files);
    let manifest = Manifest {
        format: bundle::FORMAT,
        project: "bridge".into(),
        version: "test".into(),
        commit: "0".into(),
        generator: "test".into(),
        default_locale: "en".into(),
        entries,
    };
    assert!(manifest.entries[0].compiled.is_some(), "{manifest:#?}");
    files.insert(MANIFEST.into(), serde_json::to_string(&manifest).unwrap());
    let bundle = Bundle::load(files).unwrap();
    for data in data_sets {
        let preview = engine.render(&RenderRequest {
            template: "t",
            locale: "en",
            data,
            variant: None,
        });
        assert!(preview.is_ok(), "{:?}", preview.diagnostics);
        let html = hb.render_template(&compiled.html, data).unwrap();
        assert_eq!(html, preview.html, "handlebars html with {data}");
        let text = hb.render_template(&compiled.text, data).unwrap();
        assert_eq!(text, preview.text, "handlebars text with {data}");
        let sent = bundle.render("t", "en", data);
        assert_eq!(sent.html, preview.html, "bundle html with {data}");
        assert_eq!(sent.text, preview.text, "bundle text with {data}");
        assert_eq!(sent.subject, preview.subject, "bundle subject with {data}");
    }
}

#[test]
fn conditions_loops_and_defaults_render_like_the_preview_for_any_data() {
    let body = r#"
<mj-text>{% if user.vip %}VIP {{ user.name }}{% elif user.trial is defined %}Trial{% else %}Hello {{ user.name | default("there") }}{% endif %}</mj-text>
{% for item in items %}
<mj-text>{% if loop.first %}First: {% endif %}{{ item.title }}{% if not loop.last %},{% endif %}</mj-text>
{% endfor %}
{% if items | length > 0 %}<mj-text>{{ items | length }} items</mj-text>{% endif %}"#;
    // `items | length` in text is a filter on recipient data: refused.
    let (engine, _) = project(body);
    let refused = engine
        .compile_send_time("t", "en", Dialect::Handlebars)
        .unwrap_err();
    assert!(
        refused.iter().any(|d| d.message.contains("`length`")),
        "{refused:#?}"
    );

    let body = body.replace(
        "<mj-text>{{ items | length }} items</mj-text>",
        "<mj-text>Some items</mj-text>",
    );
    assert_same_as_preview(
        &body,
        &[
            json!({"user": {"name": "Ada", "vip": true}, "items": [{"title": "a"}, {"title": "b"}]}),
            json!({"user": {"name": "Bo", "vip": false, "trial": 1}, "items": []}),
            json!({"user": {"name": "<Cy & Co>", "vip": false}, "items": [{"title": "only"}]}),
        ],
    );
}

#[test]
fn text_the_template_prints_as_braces_stays_text_at_send_time() {
    assert_same_as_preview(
        r#"<mj-text>Use {{ "{{" }}name}} and {{ "{%" }} tags {{ "%}" }} for {{ user.name }}</mj-text>"#,
        &[json!({"user": {"name": "Ada"}})],
    );
}

#[test]
fn the_handlebars_it_emits() {
    let (engine, _) = project(
        r#"<mj-text>{% if user.vip %}VIP{% else %}Hi{% endif %} {{ user.name }}</mj-text>
{% for t in tasks %}<mj-text>{{ t.title }}{% if not loop.last %},{% endif %}</mj-text>{% endfor %}"#,
    );
    let compiled = engine
        .compile_send_time("t", "en", Dialect::Handlebars)
        .unwrap();
    let body = compiled
        .html
        .split("<body")
        .nth(1)
        .unwrap_or_default()
        .to_owned();
    let blocks: Vec<&str> = body
        .match_indices("{{")
        .map(|(i, _)| &body[i..i + body[i..].find("}}").map_or(2, |e| e + 2)])
        .collect();
    assert_eq!(
        blocks,
        [
            r#"{{#if (lookup (lookup this "user") "vip")}}"#,
            "{{else}}",
            "{{/if}}",
            "{{user.name}}",
            r#"{{#each (lookup this "tasks")}}"#,
            "{{this.title}}",
            "{{#unless @last}}",
            "{{/unless}}",
            "{{/each}}",
        ]
    );
    assert_eq!(compiled.subject, "Hi {{{user.name}}}");
}

/// The `{{…}}` tags of the compiled body, in order.
fn tags_of(html: &str) -> Vec<String> {
    let body = html.split("<body").nth(1).unwrap_or_default();
    body.match_indices("{{")
        .map(|(i, _)| {
            let end = body[i..].find("}}").map_or(2, |e| e + 2);
            let end = if body[i + end..].starts_with('}') {
                end + 1
            } else {
                end
            };
            body[i..i + end].to_owned()
        })
        .collect()
}

#[test]
fn the_mustachio_it_emits_climbs_out_of_every_section() {
    // Mustachio sections scope into their value, one context per path segment, and a name
    // missing there is not looked up outside: every path is spelled from where it stands.
    let (engine, _) = project(
        r#"<mj-text>{% if user.vip %}VIP {{ user.name }}{% else %}Hi {{ greeting }}{% endif %}</mj-text>
{% for t in order.tasks %}<mj-text>{{ t.title }}{% if t.done %} ({{ t.owner.name }}, {{ user.name }}){% endif %}</mj-text>{% endfor %}
<mj-text>{{ user.nickname | default("friend") }}</mj-text>"#,
    );
    let compiled = engine
        .compile_send_time("t", "en", Dialect::Mustachio)
        .unwrap_or_else(|d| panic!("{d:#?}"));
    assert_eq!(
        tags_of(&compiled.html),
        [
            "{{#user.vip}}",
            "{{../name}}",
            "{{/user.vip}}",
            "{{^user.vip}}",
            "{{../../greeting}}",
            "{{/user.vip}}",
            "{{#each order.tasks}}",
            "{{title}}",
            "{{#done}}",
            "{{../owner.name}}",
            "{{../../../../user.name}}",
            "{{/done}}",
            "{{/each}}",
            "{{#user.nickname}}",
            "{{.}}",
            "{{/user.nickname}}",
            "{{^user.nickname}}",
            "{{/user.nickname}}",
        ]
    );
    assert_eq!(compiled.subject, "Hi {{{user.name}}}");
}

#[test]
fn what_mustachio_cannot_say_is_refused_with_the_reason() {
    let cases = [
        (
            "{% for t in tasks %}<mj-text>{{ t.title }}{% if not loop.last %},{% endif %}</mj-text>{% endfor %}",
            "no loop",
        ),
        (
            r#"<mj-text>{{ user["first-name"] }}</mj-text>"#,
            "letters, digits and `_`",
        ),
        (
            r#"<mj-text>Type {{ "{{" }}name}} to greet {{ user.name }}</mj-text>"#,
            "no way to print `{{`",
        ),
        // `{{#each ../../extras}}` climbs to the root and enters `extras`: the outer item is
        // no longer on Mustachio's chain of contexts.
        (
            "{% for g in groups %}{% for x in extras %}<mj-text>{{ g.name }} {{ x }}</mj-text>{% endfor %}{% endfor %}",
            "cannot be reached here",
        ),
    ];
    for (body, why) in cases {
        let (engine, _) = project(body);
        match engine.compile_send_time("t", "en", Dialect::Mustachio) {
            Ok(compiled) => panic!("{body} compiled:\n{}", compiled.html),
            Err(d) => {
                assert!(
                    d.iter().any(|d| d.message.contains(why)
                        && d.code == letterpress_engine::Code::SendTimeUnsupported),
                    "{body}: {d:#?}"
                );
            }
        }
    }
}

/// A small seeded generator (xorshift64*): the property tests below are reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// Empty or not, with markup and spaces between words.
    fn string(&mut self) -> serde_json::Value {
        let words = ["", "", "Ada", "<b & c>", "two words", "Zoë"];
        json!(words[self.below(words.len() as u64) as usize])
    }

    fn boolean(&mut self) -> serde_json::Value {
        json!(self.below(2) == 1)
    }

    /// 0 to 3 items, each made by `item`.
    fn list(&mut self, item: impl Fn(&mut Rng) -> serde_json::Value) -> serde_json::Value {
        let n = self.below(4);
        serde_json::Value::Array((0..n).map(|_| item(self)).collect())
    }
}

/// Between sections: the text derivation gives a blank line there, a line break between a
/// column's elements.
const NEXT_SECTION: &str = "</mj-column></mj-section><mj-section><mj-column>";

/// Makes one random data set.
type DataMaker = dyn Fn(&mut Rng) -> serde_json::Value;

/// For `cases` (a body and how to make its data), 150 random data sets each: Handlebars and
/// the bundle render the compiled text (and HTML, subject) exactly as the preview does.
fn same_text_for_random_data(cases: &[(String, &DataMaker)]) {
    let mut rng = Rng(0x05EE_D1E7_7E4B_4E55);
    for (body, data) in cases {
        let sets: Vec<serde_json::Value> = (0..150).map(|_| data(&mut rng)).collect();
        assert_same_as_preview(body, &sets);
    }
}

#[test]
fn a_condition_between_blocks_adds_no_blank_line_to_the_text() {
    // The designer's email: the `{% if %}` sits between a column's `<tbody>` and the
    // button's `<tr>`; its marker must not become a paragraph of its own.
    let launch = format!(
        r#"<mj-text>{{{{ title }}}}</mj-text>{NEXT_SECTION}<mj-image src="https://x.test/i.png" alt="Picture" /></mj-column><mj-column>{{% if title %}}<mj-button href="https://x.test">Button</mj-button>{{% endif %}}<mj-text>Write something here.</mj-text>"#
    );
    let if_else = format!(
        r#"<mj-text>Logo</mj-text>{{% if user.vip %}}<mj-text>VIP</mj-text>{NEXT_SECTION}<mj-text>Perks</mj-text>{{% else %}}{NEXT_SECTION}<mj-text>Join</mj-text>{{% endif %}}<mj-text>Bye</mj-text>"#
    );
    let not_and_nested = format!(
        r#"<mj-text>Top</mj-text>{NEXT_SECTION}{{% if not user.vip %}}{{% if show %}}<mj-text>Shown</mj-text>{{% endif %}}{{% endif %}}{NEXT_SECTION}<mj-text>End</mj-text>"#
    );
    let first_block = format!(
        r#"{{% if show %}}<mj-text>Banner</mj-text>{NEXT_SECTION}{{% endif %}}<mj-text>Body</mj-text>{{% if user.vip %}}{NEXT_SECTION}<mj-text>VIP</mj-text>{{% endif %}}"#
    );
    let data = |r: &mut Rng| json!({"title": r.string(), "show": r.boolean(), "user": {"name": r.string(), "vip": r.boolean()}});
    same_text_for_random_data(&[
        (launch, &data),
        (if_else, &data),
        (not_and_nested, &data),
        (first_block, &data),
    ]);
}

#[test]
fn an_empty_value_alone_in_a_paragraph_leaves_no_blank_line() {
    let alone = format!(
        r#"<mj-text>Logo</mj-text>{NEXT_SECTION}<mj-text>{{{{ title }}}}</mj-text>{NEXT_SECTION}<mj-text>Write</mj-text><mj-text>{{{{ user.name }}}}</mj-text><mj-text>End</mj-text>"#
    );
    // At the very start and the very end, and two values in one paragraph.
    let edges = format!(
        r#"<mj-text>{{{{ title }}}}</mj-text><mj-text>{{{{ user.first }}}} {{{{ user.last }}}}</mj-text>{NEXT_SECTION}<mj-text>Middle</mj-text>{NEXT_SECTION}<mj-text>{{{{ user.name }}}}{{{{ title }}}}</mj-text>"#
    );
    // Values inside a line: the spaces around an empty one merge.
    let inline = r#"<mj-text>Hello {{ user.first }} {{ user.last }}, {% if user.vip %}dear {% endif %}friend {{ title }}</mj-text><mj-text>{{ user.name | default("") }}</mj-text>"#.to_owned();
    let data = |r: &mut Rng| json!({"title": r.string(), "user": {"name": r.string(), "first": r.string(), "last": r.string(), "vip": r.boolean()}});
    same_text_for_random_data(&[(alone, &data), (edges, &data), (inline, &data)]);
}

#[test]
fn loops_between_blocks_give_the_previews_text_for_any_number_of_items() {
    let items = format!(
        r#"<mj-text>Items:</mj-text>{{% for item in items %}}<mj-text>{{{{ item.name }}}}</mj-text>{{% if item.note %}}<mj-text>{{{{ item.note }}}}</mj-text>{{% endif %}}{{% endfor %}}{NEXT_SECTION}<mj-text>Total</mj-text>"#
    );
    let sections = format!(
        r#"<mj-text>Orders</mj-text>{NEXT_SECTION}{{% for item in items %}}<mj-text>{{% if loop.first %}}First: {{% endif %}}{{{{ item.name }}}}{{% if not loop.last %}},{{% endif %}}</mj-text>{NEXT_SECTION}{{% endfor %}}<mj-text>{{{{ title }}}}</mj-text>"#
    );
    let nested = format!(
        r#"<mj-text>Groups</mj-text>{{% for g in groups %}}{NEXT_SECTION}<mj-text>Group {{{{ g.title }}}}</mj-text>{{% for x in g.items %}}<mj-text>- {{{{ x }}}}</mj-text>{{% endfor %}}{{% endfor %}}<mj-text>{{% if title %}}{{{{ title }}}}{{% else %}}Untitled{{% endif %}}</mj-text>"#
    );
    // At the very start: the first item is written apart (`{{#if @first}}`), as nothing
    // comes before it.
    let first_thing = format!(
        r#"{{% for item in items %}}<mj-text>- {{{{ item.name }}}}</mj-text>{{% if item.note %}}<mj-text>{{{{ item.note }}}}</mj-text>{{% endif %}}{{% endfor %}}{NEXT_SECTION}<mj-text>End</mj-text>"#
    );
    let data = |r: &mut Rng| {
        json!({
            "title": r.string(),
            "user": {"name": r.string()},
            "items": r.list(|r| json!({"name": r.string(), "note": r.string()})),
            "groups": r.list(|r| json!({"title": r.string(), "items": r.list(Rng::string)})),
        })
    };
    same_text_for_random_data(&[
        (items, &data),
        (sections, &data),
        (nested, &data),
        (first_thing, &data),
    ]);
}

#[test]
fn a_text_that_cannot_be_said_exactly_is_refused_with_the_reason() {
    let cases = [
        // Whether a line break comes before an item's name depends on whether an earlier
        // item wrote its name: Handlebars can only ask whether an item is the first.
        "{% for item in items %}<mj-text>{{ item.name }}</mj-text>{% endfor %}<mj-text>End</mj-text>"
            .to_owned(),
        // Whether a blank line or a line break comes before the next item depends on whether
        // the previous item's note was empty.
        format!(
            "<mj-text>Top</mj-text>{{% for item in items %}}<mj-text>- {{{{ item.name }}}}</mj-text>{{% if item.note %}}{NEXT_SECTION}<mj-text>{{{{ item.note }}}}</mj-text>{{% endif %}}{{% endfor %}}"
        ),
    ];
    for body in cases {
        let (engine, _) = project(&body);
        for dialect in [Dialect::Handlebars, Dialect::Mustachio, Dialect::Jinja] {
            let refused = engine.compile_send_time("t", "en", dialect).unwrap_err();
            assert!(
                refused
                    .iter()
                    .any(|d| d.code == letterpress_engine::Code::SendTimeUnsupported
                        && d.message
                            .contains("the text part cannot be written exactly")
                        && d.message.contains("a loop over recipient data")),
                "{body} in {dialect:?}: {refused:#?}"
            );
        }
    }
}

#[test]
fn mustachio_refuses_a_loop_whose_first_item_needs_other_line_breaks() {
    // Handlebars and Jinja write the first item apart (`@first`, `loop.first`); Mustachio
    // has no loop variables.
    let (engine, _) = project(
        "{% for item in items %}<mj-text>- {{ item.name }}</mj-text>{% endfor %}<mj-text>End</mj-text>",
    );
    let compiled = engine
        .compile_send_time("t", "en", Dialect::Handlebars)
        .unwrap_or_else(|d| panic!("{d:#?}"));
    assert!(
        compiled.text.contains("{{#if @first}}"),
        "{}",
        compiled.text
    );
    let refused = engine
        .compile_send_time("t", "en", Dialect::Mustachio)
        .unwrap_err();
    assert!(
        refused
            .iter()
            .any(|d| d.message.contains("Mustachio cannot tell the first item")),
        "{refused:#?}"
    );
}
