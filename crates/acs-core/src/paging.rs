//! Paging: streams of pages and items for the operations that page, as generated clients
//! offer them (`describe_instances_pages`, `describe_instances_items`).
//!
//! The stream ends on the API's own end condition (no next token, no truncation, the last
//! page number) and never loops: a cursor the server repeats ends it with an error.

use std::future::Future;

use futures_core::Stream;
use futures_util::{TryStreamExt as _, stream};

use crate::error::Error;

enum Phase<R> {
    Fetch(R),
    Fail(Error),
    Done,
}

/// The pages of a paged call: `fetch` sends a request, `next` gives the request for the
/// page after (or `None` after the last page, or an error for a cursor that loops).
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use acs_core::paging::{pages, next_token};
/// use futures_util::TryStreamExt as _;
/// // A "server" with three pages, cursors "b" and "c".
/// let fetch = |token: Option<String>| async move {
///     Ok::<_, acs_core::Error>(match token.as_deref() {
///         None => (1, Some("b".to_owned())),
///         Some("b") => (2, Some("c".to_owned())),
///         _ => (3, None),
///     })
/// };
/// let next = |sent: &Option<String>, page: &(i32, Option<String>)| {
///     Ok(next_token(sent.as_deref(), page.1.as_deref())?.map(Some))
/// };
/// let all: Vec<_> = pages(None, fetch, next).try_collect().await?;
/// assert_eq!(all.iter().map(|p| p.0).collect::<Vec<_>>(), [1, 2, 3]);
/// # Ok::<(), acs_core::Error>(()) }).unwrap();
/// ```
pub fn pages<R, P, F, Fut, N>(request: R, fetch: F, next: N) -> impl Stream<Item = Result<P, Error>>
where
    F: FnMut(R) -> Fut,
    Fut: Future<Output = Result<P, Error>>,
    N: FnMut(&R, &P) -> Result<Option<R>, Error>,
    R: Clone,
{
    stream::unfold(
        (Phase::Fetch(request), fetch, next),
        |(phase, mut fetch, mut next)| async move {
            match phase {
                Phase::Done => None,
                Phase::Fail(error) => Some((Err(error), (Phase::Done, fetch, next))),
                Phase::Fetch(request) => match fetch(request.clone()).await {
                    Err(error) => Some((Err(error), (Phase::Done, fetch, next))),
                    Ok(page) => {
                        let phase = match next(&request, &page) {
                            Ok(Some(following)) => Phase::Fetch(following),
                            Ok(None) => Phase::Done,
                            Err(error) => Phase::Fail(error),
                        };
                        Some((Ok(page), (phase, fetch, next)))
                    }
                },
            }
        },
    )
}

/// The items of every page, in order: `items` takes a page's list out of it.
pub fn items<P, T, I>(
    pages: impl Stream<Item = Result<P, Error>>,
    mut items: I,
) -> impl Stream<Item = Result<T, Error>>
where
    I: FnMut(P) -> Vec<T>,
{
    pages
        .map_ok(move |page| stream::iter(items(page).into_iter().map(Ok)))
        .try_flatten()
}

fn looping(what: &str, value: &str) -> Error {
    Error::malformed(
        200,
        format!("paging stopped: the server returned the {what} `{value}` it was just sent"),
        b"",
    )
}

/// Token paging (`NextToken`): the next token, `None` when the page has none. A token equal
/// to the one sent would loop forever: an error.
pub fn next_token(sent: Option<&str>, received: Option<&str>) -> Result<Option<String>, Error> {
    match received {
        None | Some("") => Ok(None),
        Some(token) if Some(token) == sent => Err(looping("token", token)),
        Some(token) => Ok(Some(token.to_owned())),
    }
}

/// Marker paging (`Marker`, `IsTruncated`): the next marker while the page says it is
/// truncated. A marker equal to the one sent is an error.
pub fn next_marker(
    sent: Option<&str>,
    truncated: Option<bool>,
    received: Option<&str>,
) -> Result<Option<String>, Error> {
    if truncated != Some(true) {
        return Ok(None);
    }
    next_token(sent, received)
}

/// A page-number field of any integer width, widened (`i32` or `i64` in the metadata).
pub fn wide<T: Into<i64>>(value: Option<T>) -> Option<i64> {
    value.map(Into::into)
}

/// A page number narrowed back to the request's field type; `None` if it does not fit.
pub fn narrow<T: TryFrom<i64>>(value: i64) -> Option<T> {
    T::try_from(value).ok()
}

/// Page-number paging (`PageNumber`, `PageSize`, `TotalCount`): the next page number, `None`
/// after the last page or an empty one. `number` and `size` are what the page says (or was
/// asked); numbering starts at 1.
pub fn next_page_number(
    number: Option<i64>,
    size: Option<i64>,
    total: Option<i64>,
    items_on_page: usize,
) -> Option<i64> {
    let number = number.unwrap_or(1).max(1);
    let size = size.filter(|s| *s > 0)?;
    if items_on_page == 0 || number.saturating_mul(size) >= total? {
        return None;
    }
    Some(number + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_style_ends_on_its_own_condition() {
        assert_eq!(
            next_token(None, Some("a")).ok().flatten().as_deref(),
            Some("a")
        );
        assert_eq!(next_token(Some("a"), Some("")).ok().flatten(), None);
        assert!(
            next_token(Some("a"), Some("a")).is_err(),
            "a repeated token loops"
        );
        assert_eq!(
            next_marker(None, Some(false), Some("m")).ok().flatten(),
            None
        );
        assert_eq!(
            next_marker(None, Some(true), Some("m"))
                .ok()
                .flatten()
                .as_deref(),
            Some("m")
        );
        assert!(next_marker(Some("m"), Some(true), Some("m")).is_err());
        assert_eq!(next_page_number(Some(1), Some(10), Some(25), 10), Some(2));
        assert_eq!(next_page_number(Some(3), Some(10), Some(25), 5), None);
        assert_eq!(
            next_page_number(Some(2), Some(10), Some(100), 0),
            None,
            "an empty page ends"
        );
        assert_eq!(
            next_page_number(None, Some(10), None, 10),
            None,
            "no total: one page"
        );
    }
}
