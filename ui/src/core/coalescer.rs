//! The rule every live preview follows while a person types: at most one request in flight;
//! what is offered meanwhile waits, merged into one (the newest text wins), and goes out when
//! the answer comes back; an answer overtaken by a newer state (`supersede`) is dropped by its
//! sequence number. A plain type, so its rules are tested on the host.

/// Work to send now, with the sequence number its answer carries back to [`Coalescer::settle`].
#[derive(Debug, Clone, PartialEq)]
pub struct Ticket<T> {
    /// Sequence number (increasing).
    pub seq: u64,
    /// What to send.
    pub work: T,
}

/// What to do with an answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Settled<T> {
    /// Show the answer: nothing newer superseded it.
    pub show: bool,
    /// Work that waited meanwhile: send it now.
    pub next: Option<Ticket<T>>,
}

/// Coalesces work for one preview (see the module comment).
#[derive(Debug, Clone)]
pub struct Coalescer<T> {
    /// Work offered while a request was in flight.
    waiting: Option<T>,
    /// A request is in flight.
    in_flight: bool,
    /// The last sequence number issued.
    issued: u64,
    /// Answers with a smaller sequence number are stale.
    fresh_from: u64,
    /// Folds newer work into waiting work.
    merge: fn(&mut T, T),
}

impl<T> Coalescer<T> {
    /// Waiting work is replaced by newer work.
    pub fn newest_wins() -> Coalescer<T> {
        Coalescer::merging(|waiting, newer| *waiting = newer)
    }

    /// Waiting work absorbs newer work with `merge(waiting, newer)`.
    pub fn merging(merge: fn(&mut T, T)) -> Coalescer<T> {
        Coalescer {
            waiting: None,
            in_flight: false,
            issued: 0,
            fresh_from: 0,
            merge,
        }
    }

    /// Offers work: `Some` to send now, `None` when it waits behind the request in flight
    /// (whose answer is still shown: typing keeps the preview moving).
    pub fn offer(&mut self, work: T) -> Option<Ticket<T>> {
        if !self.in_flight {
            return Some(self.issue(work));
        }
        match &mut self.waiting {
            Some(waiting) => (self.merge)(waiting, work),
            None => self.waiting = Some(work),
        }
        None
    }

    /// Offers work that makes the answer in flight stale (another template, locale...):
    /// like [`Coalescer::offer`], and the answer in flight will not be shown.
    pub fn supersede(&mut self, work: T) -> Option<Ticket<T>> {
        if self.in_flight {
            self.fresh_from = self.issued + 1;
        }
        self.offer(work)
    }

    /// The answer to `seq` came back: whether to show it, and what to send next.
    pub fn settle(&mut self, seq: u64) -> Settled<T> {
        if seq == self.issued {
            self.in_flight = false;
        }
        let show = seq >= self.fresh_from && seq == self.issued;
        let next = if self.in_flight {
            None
        } else {
            self.waiting.take().map(|work| self.issue(work))
        };
        Settled { show, next }
    }

    /// Nothing in flight and nothing waiting: every offered work has been answered.
    pub fn is_idle(&self) -> bool {
        !self.in_flight && self.waiting.is_none()
    }

    fn issue(&mut self, work: T) -> Ticket<T> {
        self.issued += 1;
        self.in_flight = true;
        Ticket {
            seq: self.issued,
            work,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts() -> Coalescer<String> {
        Coalescer::newest_wins()
    }

    #[test]
    fn the_first_offer_goes_out_at_once() {
        let mut c = texts();
        assert_eq!(
            c.offer("a".into()),
            Some(Ticket {
                seq: 1,
                work: "a".into()
            })
        );
        assert_eq!(c.offer("b".into()), None, "one request in flight at a time");
    }

    #[test]
    fn at_most_one_request_is_in_flight_and_the_newest_text_wins() {
        let mut c = texts();
        let first = c.offer("a".into()).unwrap();
        assert_eq!(c.offer("ab".into()), None);
        assert_eq!(c.offer("abc".into()), None);
        let settled = c.settle(first.seq);
        assert!(settled.show, "typing keeps showing answers");
        assert_eq!(
            settled.next,
            Some(Ticket {
                seq: 2,
                work: "abc".into()
            }),
            "only the newest text is sent, once"
        );
        let last = c.settle(2);
        assert!(last.show);
        assert_eq!(last.next, None);
        assert!(
            c.offer("x".into()).is_some(),
            "idle again: the next offer goes out"
        );
    }

    #[test]
    fn waiting_work_can_merge_instead_of_being_replaced() {
        let mut c: Coalescer<Vec<&str>> = Coalescer::merging(|w, n| w.extend(n));
        let first = c.offer(vec!["a"]).unwrap();
        c.offer(vec!["b"]);
        c.offer(vec!["c"]);
        assert_eq!(c.settle(first.seq).next.unwrap().work, vec!["b", "c"]);
    }

    #[test]
    fn a_superseded_answer_is_dropped_but_the_newer_request_still_goes_out() {
        let mut c = texts();
        let old = c.offer("welcome".into()).unwrap();
        assert_eq!(c.supersede("receipt".into()), None);
        let settled = c.settle(old.seq);
        assert!(!settled.show, "the answer for the old state is stale");
        let next = settled.next.unwrap();
        assert_eq!(next.work, "receipt");
        assert!(c.settle(next.seq).show);
    }

    #[test]
    fn supersede_when_idle_is_a_plain_send() {
        let mut c = texts();
        let t = c.supersede("a".into()).unwrap();
        assert!(c.settle(t.seq).show);
    }

    #[test]
    fn an_answer_with_an_unknown_or_old_number_is_not_shown_and_frees_nothing() {
        let mut c = texts();
        let first = c.offer("a".into()).unwrap();
        let s = c.settle(first.seq);
        assert!(s.show);
        let second = c.offer("b".into()).unwrap();
        // A duplicate of the first answer arrives late.
        let late = c.settle(first.seq);
        assert!(!late.show);
        assert_eq!(
            c.offer("c".into()),
            None,
            "the request in flight is still awaited"
        );
        let settled = c.settle(second.seq);
        assert!(settled.show);
        assert_eq!(settled.next.map(|t| t.work), Some("c".to_owned()));
    }

    #[test]
    fn idle_only_once_the_waiting_work_has_been_answered_too() {
        let mut c = texts();
        assert!(c.is_idle(), "nothing offered yet");
        let first = c.offer("a".into()).unwrap();
        assert!(!c.is_idle(), "in flight");
        c.offer("ab".into());
        let next = c.settle(first.seq).next.unwrap();
        assert!(!c.is_idle(), "the waiting text went out: still on its way");
        c.settle(next.seq);
        assert!(c.is_idle());
    }
}
