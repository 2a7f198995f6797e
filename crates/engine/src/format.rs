//! Locale-aware formatting of numbers, money and dates, for the `number`, `money` and `date`
//! filters. The data is a small table of CLDR conventions for the languages we ship; other
//! languages get neutral formats (`1,234.5`, `EUR 1,234.50`, ISO dates) rather than wrong ones.

/// How a language writes numbers, money and dates.
#[derive(Debug, Clone, Copy)]
pub struct LocaleFormat {
    decimal: &'static str,
    group: &'static str,
    /// Grouping starts at numbers of this many integer digits (Polish and Spanish: 5).
    min_grouping_digits: usize,
    /// `true`: `€1.00`; `false`: `1,00 €`.
    currency_first: bool,
    /// Text between number and symbol, when the symbol comes last (or first, for `nl`).
    currency_gap: &'static str,
    months: Option<&'static [&'static str; 12]>,
    /// Month names as used in a full date, where the language inflects them (Polish genitive).
    months_in_date: Option<&'static [&'static str; 12]>,
    short_months: Option<&'static [&'static str; 12]>,
    date_order: DateOrder,
    /// Prefix that keeps number + symbol in reading order inside right-to-left text.
    rtl_mark: bool,
}

#[derive(Debug, Clone, Copy)]
enum DateOrder {
    /// November 24, 2026 / Nov 24, 2026 / 11/24/26
    MonthDayYear,
    /// 24. November 2026 / 24.11.26
    DayDotMonthYear,
    /// 24 novembre 2026 / 24/11/2026
    DayMonthYear,
    /// 2026-11-24 everywhere
    Iso,
}

const EN_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const EN_SHORT: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const DE_MONTHS: [&str; 12] = [
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
];
const DE_SHORT: [&str; 12] = [
    "Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sept.", "Okt.", "Nov.", "Dez.",
];
const FR_MONTHS: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];
const FR_SHORT: [&str; 12] = [
    "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.",
    "déc.",
];
const PL_MONTHS: [&str; 12] = [
    "styczeń",
    "luty",
    "marzec",
    "kwiecień",
    "maj",
    "czerwiec",
    "lipiec",
    "sierpień",
    "wrzesień",
    "październik",
    "listopad",
    "grudzień",
];
const PL_MONTHS_GENITIVE: [&str; 12] = [
    "stycznia",
    "lutego",
    "marca",
    "kwietnia",
    "maja",
    "czerwca",
    "lipca",
    "sierpnia",
    "września",
    "października",
    "listopada",
    "grudnia",
];
const PL_SHORT: [&str; 12] = [
    "sty", "lut", "mar", "kwi", "maj", "cze", "lip", "sie", "wrz", "paź", "lis", "gru",
];
const AR_MONTHS: [&str; 12] = [
    "يناير",
    "فبراير",
    "مارس",
    "أبريل",
    "مايو",
    "يونيو",
    "يوليو",
    "أغسطس",
    "سبتمبر",
    "أكتوبر",
    "نوفمبر",
    "ديسمبر",
];
const ES_MONTHS: [&str; 12] = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
];

const NEUTRAL: LocaleFormat = LocaleFormat {
    decimal: ".",
    group: ",",
    min_grouping_digits: 4,
    currency_first: true,
    currency_gap: " ",
    months: None,
    months_in_date: None,
    short_months: None,
    date_order: DateOrder::Iso,
    rtl_mark: false,
};

impl LocaleFormat {
    /// The conventions for a BCP 47 tag, by its language subtag.
    pub fn for_locale(tag: &str) -> LocaleFormat {
        let lang = tag.split('-').next().unwrap_or(tag).to_ascii_lowercase();
        match lang.as_str() {
            "en" => LocaleFormat {
                currency_gap: "",
                months: Some(&EN_MONTHS),
                short_months: Some(&EN_SHORT),
                date_order: DateOrder::MonthDayYear,
                ..NEUTRAL
            },
            "de" => LocaleFormat {
                decimal: ",",
                group: ".",
                currency_first: false,
                currency_gap: "\u{a0}",
                months: Some(&DE_MONTHS),
                short_months: Some(&DE_SHORT),
                date_order: DateOrder::DayDotMonthYear,
                ..NEUTRAL
            },
            "fr" => LocaleFormat {
                decimal: ",",
                group: "\u{202f}",
                currency_first: false,
                currency_gap: "\u{a0}",
                months: Some(&FR_MONTHS),
                short_months: Some(&FR_SHORT),
                date_order: DateOrder::DayMonthYear,
                ..NEUTRAL
            },
            "pl" => LocaleFormat {
                decimal: ",",
                group: "\u{a0}",
                min_grouping_digits: 5,
                currency_first: false,
                currency_gap: "\u{a0}",
                months: Some(&PL_MONTHS),
                months_in_date: Some(&PL_MONTHS_GENITIVE),
                short_months: Some(&PL_SHORT),
                date_order: DateOrder::DayMonthYear,
                ..NEUTRAL
            },
            "es" => LocaleFormat {
                decimal: ",",
                group: ".",
                min_grouping_digits: 5,
                currency_first: false,
                currency_gap: "\u{a0}",
                months: Some(&ES_MONTHS),
                date_order: DateOrder::DayMonthYear,
                ..NEUTRAL
            },
            // Latin digits, as most Arabic-language product email uses; the right-to-left mark
            // keeps "19.99 €" in order inside RTL paragraphs.
            "ar" => LocaleFormat {
                currency_first: false,
                currency_gap: "\u{a0}",
                months: Some(&AR_MONTHS),
                short_months: Some(&AR_MONTHS),
                date_order: DateOrder::DayMonthYear,
                rtl_mark: true,
                ..NEUTRAL
            },
            _ => NEUTRAL,
        }
    }

    /// `1234.5` with `decimals` fraction digits, grouped: `1,234.50`, `1.234,50`, `1 234,50`.
    pub fn number(&self, value: f64, decimals: usize) -> String {
        if !value.is_finite() {
            return value.to_string();
        }
        let decimals = decimals.min(12);
        let fixed = format!("{:.*}", decimals, value.abs());
        let (int, frac) = fixed.split_once('.').unwrap_or((&fixed, ""));
        let mut out = String::new();
        // `-0.00` is printed as `0.00`.
        if value < 0.0 && fixed.bytes().any(|b| (b'1'..=b'9').contains(&b)) {
            out.push('-');
        }
        if int.len() >= self.min_grouping_digits {
            for (i, ch) in int.chars().enumerate() {
                if i > 0 && (int.len() - i) % 3 == 0 {
                    out.push_str(self.group);
                }
                out.push(ch);
            }
        } else {
            out.push_str(int);
        }
        if !frac.is_empty() {
            out.push_str(self.decimal);
            out.push_str(frac);
        }
        out
    }

    /// An amount in major units with the currency's symbol and usual decimals.
    pub fn money(&self, amount: f64, currency: &str) -> String {
        let code = currency.trim().to_ascii_uppercase();
        let (symbol, decimals) = currency_symbol(&code, self);
        let number = self.number(amount, decimals);
        let mark = if self.rtl_mark { "\u{200f}" } else { "" };
        if self.currency_first {
            let gap = if symbol.len() > 1 && symbol.chars().all(|c| c.is_ascii_uppercase()) {
                "\u{a0}"
            } else {
                self.currency_gap
            };
            // `-€5.00` reads better than `€-5.00`.
            match number.strip_prefix('-') {
                Some(abs) => format!("{mark}-{symbol}{gap}{abs}"),
                None => format!("{mark}{symbol}{gap}{number}"),
            }
        } else {
            format!("{mark}{number}{}{symbol}", self.currency_gap)
        }
    }

    /// A calendar date (`YYYY-MM-DD`, optionally followed by a time, which is ignored) in
    /// `style` `short`, `medium` (default) or `long`. `None` when the input is not a date.
    pub fn date(&self, input: &str, style: &str) -> Option<String> {
        let (y, m, d) = parse_iso_date(input)?;
        let mi = (m - 1) as usize;
        let months = self.months;
        let long_months = self.months_in_date.or(months);
        let short = self.short_months.or(months);
        let out = match (self.date_order, style) {
            (DateOrder::Iso, _) => format!("{y:04}-{m:02}-{d:02}"),
            (DateOrder::MonthDayYear, "short") => format!("{m}/{d}/{:02}", y % 100),
            (DateOrder::MonthDayYear, "long") => format!("{} {d}, {y}", long_months?[mi]),
            (DateOrder::MonthDayYear, _) => format!("{} {d}, {y}", short?[mi]),
            (DateOrder::DayDotMonthYear, "short") => format!("{d:02}.{m:02}.{:02}", y % 100),
            (DateOrder::DayDotMonthYear, "long") => format!("{d}. {} {y}", long_months?[mi]),
            (DateOrder::DayDotMonthYear, _) => format!("{d:02}.{m:02}.{y}"),
            (DateOrder::DayMonthYear, "short") => format!("{d:02}/{m:02}/{y}"),
            (DateOrder::DayMonthYear, "long") => format!("{d} {} {y}", long_months?[mi]),
            (DateOrder::DayMonthYear, _) => match self.short_months {
                Some(s) if self.months_in_date.is_none() => format!("{d} {} {y}", s[mi]),
                _ => format!("{d:02}.{m:02}.{y}"),
            },
        };
        Some(out)
    }
}

fn currency_symbol(code: &str, f: &LocaleFormat) -> (String, usize) {
    let en_like = f.currency_first;
    let (symbol, decimals) = match code {
        "EUR" => ("€", 2),
        "USD" => ("$", 2),
        "GBP" => ("£", 2),
        "JPY" => ("¥", 0),
        "PLN" if !en_like => ("zł", 2),
        "CHF" => ("CHF", 2),
        "KRW" => ("₩", 0),
        "INR" => ("₹", 2),
        _ => return (code.to_owned(), 2),
    };
    (symbol.to_owned(), decimals)
}

/// `(year, month, day)` of an ISO 8601 date or datetime, validated (Feb 30 is refused).
pub fn parse_iso_date(input: &str) -> Option<(i32, u32, u32)> {
    let date = input.trim().get(..10)?;
    let mut parts = date.split('-');
    let y: i32 = parts.next()?.parse().ok()?;
    let m: u32 = parts.next()?.parse().ok()?;
    let d: u32 = parts.next()?.parse().ok()?;
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    (d >= 1 && d <= days && date.len() == 10).then_some((y, m, d))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_follow_each_language() {
        assert_eq!(
            LocaleFormat::for_locale("en").number(1234567.891, 2),
            "1,234,567.89"
        );
        assert_eq!(LocaleFormat::for_locale("de").number(1234.5, 2), "1.234,50");
        assert_eq!(
            LocaleFormat::for_locale("fr").number(1234.5, 2),
            "1\u{202f}234,50"
        );
        // Polish does not group four-digit numbers.
        assert_eq!(LocaleFormat::for_locale("pl").number(1234.5, 2), "1234,50");
        assert_eq!(
            LocaleFormat::for_locale("pl").number(12345.5, 0),
            "12\u{a0}346"
        );
        assert_eq!(LocaleFormat::for_locale("en").number(-0.001, 2), "0.00");
    }

    #[test]
    fn money_places_the_symbol_per_language() {
        assert_eq!(LocaleFormat::for_locale("en").money(19.9, "eur"), "€19.90");
        assert_eq!(LocaleFormat::for_locale("en").money(-5.0, "USD"), "-$5.00");
        assert_eq!(
            LocaleFormat::for_locale("de").money(1299.0, "EUR"),
            "1.299,00\u{a0}€"
        );
        assert_eq!(
            LocaleFormat::for_locale("pl").money(49.0, "PLN"),
            "49,00\u{a0}zł"
        );
        assert_eq!(
            LocaleFormat::for_locale("en").money(49.0, "PLN"),
            "PLN\u{a0}49.00"
        );
        assert_eq!(LocaleFormat::for_locale("en").money(500.0, "JPY"), "¥500");
        assert_eq!(
            LocaleFormat::for_locale("ar").money(19.99, "EUR"),
            "\u{200f}19.99\u{a0}€"
        );
    }

    #[test]
    fn dates_in_three_styles() {
        let en = LocaleFormat::for_locale("en-US");
        assert_eq!(en.date("2026-11-24", "long").unwrap(), "November 24, 2026");
        assert_eq!(
            en.date("2026-11-24T10:00:00Z", "medium").unwrap(),
            "Nov 24, 2026"
        );
        assert_eq!(en.date("2026-11-24", "short").unwrap(), "11/24/26");
        let pl = LocaleFormat::for_locale("pl");
        assert_eq!(pl.date("2026-11-24", "long").unwrap(), "24 listopada 2026");
        assert_eq!(
            LocaleFormat::for_locale("de")
                .date("2026-03-01", "long")
                .unwrap(),
            "1. März 2026"
        );
        assert_eq!(
            LocaleFormat::for_locale("fr")
                .date("2026-03-01", "medium")
                .unwrap(),
            "1 mars 2026"
        );
        assert_eq!(
            LocaleFormat::for_locale("ja")
                .date("2026-03-01", "long")
                .unwrap(),
            "2026-03-01"
        );
        assert!(en.date("2026-02-30", "long").is_none());
        assert!(en.date("yesterday", "long").is_none());
    }
}
