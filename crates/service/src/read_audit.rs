//! Group commit of the audit rows that record reads.
//!
//! Every read of a person or a case appends an audit row *before* the data is
//! returned. Written one by one, each read is a write transaction of its own: on
//! SQLite the writers queue on the database's single write lock (and a waiting
//! writer polls it with sleeps of up to 100 ms), so a hundred readers at once spend
//! most of their time waiting for each other's one-row commits.
//!
//! Here a read puts its row in a queue and waits for its turn to flush. The first
//! reader to get the turn takes every row queued so far and writes them all in one
//! transaction (one bump of the chain's head, one multi-row insert, one commit);
//! the readers whose rows it wrote find, when their turn comes, that their row is
//! already committed and go on at once. So:
//!
//! - no read returns data before its row is committed (each caller awaits the
//!   outcome of the transaction that holds its row; if it fails, the read fails);
//! - the queue is bounded by the requests in flight, each of which waits;
//! - the chain is the same as with single appends (the store's `append_batch`
//!   takes the head under the same lock as every other append);
//! - the flush runs in its own task, so a client that disconnects mid-flush does
//!   not cancel the commit of the other readers' rows.

use crate::ServiceError;
use passerelle_store::Store;
use passerelle_store::audit::{self, NewAudit};
use std::sync::Mutex;
use tokio::sync::oneshot;

/// A read's audit row, owned so it can wait in the queue.
pub(crate) struct ReadRow {
    pub actor_user_id: Option<i64>,
    pub actor_org_id: Option<i64>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<String>,
    pub operation_id: String,
    pub detail: String,
}

type Outcome = Result<(), String>;

#[derive(Default)]
pub(crate) struct ReadAudit {
    queue: Mutex<Vec<(ReadRow, oneshot::Sender<Outcome>)>>,
    turn: tokio::sync::Mutex<()>,
}

impl ReadAudit {
    /// Returns once `row` is committed in the audit chain.
    pub(crate) async fn append(&self, store: &Store, row: ReadRow) -> Result<(), ServiceError> {
        let (done, mut outcome) = oneshot::channel();
        self.queue
            .lock()
            .map_err(|_| ServiceError::Internal("read audit queue poisoned".into()))?
            .push((row, done));
        {
            let _turn = self.turn.lock().await;
            if let Ok(r) = outcome.try_recv() {
                return r.map_err(ServiceError::Internal);
            }
            let batch = std::mem::take(
                &mut *self
                    .queue
                    .lock()
                    .map_err(|_| ServiceError::Internal("read audit queue poisoned".into()))?,
            );
            if !batch.is_empty() {
                let flush = tokio::spawn(flush(store.clone(), batch));
                flush
                    .await
                    .map_err(|e| ServiceError::Internal(format!("read audit flush: {e}")))?;
            }
        }
        // Our row was in the batch just written, or in one another caller's flush
        // task is still writing (when that caller went away mid-flush).
        outcome
            .await
            .map_err(|_| ServiceError::Internal("read audit row dropped".into()))?
            .map_err(ServiceError::Internal)
    }
}

async fn flush(store: Store, batch: Vec<(ReadRow, oneshot::Sender<Outcome>)>) {
    let rows: Vec<NewAudit<'_>> = batch
        .iter()
        .map(|(r, _)| NewAudit {
            actor_user_id: r.actor_user_id,
            actor_org_id: r.actor_org_id,
            action: &r.action,
            entity: &r.entity,
            entity_id: r.entity_id.clone(),
            operation_id: &r.operation_id,
            detail: r.detail.clone(),
        })
        .collect();
    let outcome = write(&store, &rows).await.map_err(|e| e.to_string());
    if let Err(e) = &outcome {
        tracing::error!(rows = rows.len(), error = %e, "could not write the audit rows of reads");
    }
    drop(rows);
    for (_, done) in batch {
        // A receiver gone (its request dropped) needs no answer.
        let _ = done.send(outcome.clone());
    }
}

async fn write(store: &Store, rows: &[NewAudit<'_>]) -> Result<(), ServiceError> {
    let mut tx = store.begin().await?;
    audit::append_batch(&mut tx, rows).await?;
    tx.commit().await?;
    Ok(())
}
