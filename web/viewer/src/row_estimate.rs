//! Row counts of big tables estimated from the shape of their b-tree, for the overview's first
//! screen: `count(*)` must visit every leaf page of a table (or of its smallest index), which
//! in a file read a block at a time costs seconds at a few hundred MB, while the interior pages
//! that say how many leaves there are are a fraction of a percent of them.
//!
//! The interior levels are read whole (sampled if one is very wide), then a few leaves spread
//! evenly over the table give the rows per leaf. A small table is left to `count(*)`, which is
//! exact and cheap at that size. The exact counts follow on the overview as soon as they are
//! worked out; the estimate is only shown until then, marked as such.

use crate::vfs::Mounted;

/// Below this many leaf pages (1 MiB of 4 KiB pages) `count(*)` is cheap: no estimate.
const EXACT_LEAVES: u64 = 256;
/// Leaves read to learn the rows per leaf.
const LEAF_SAMPLES: usize = 16;
/// Interior pages read per level at most (wider levels are sampled).
const LEVEL_SAMPLES: usize = 128;

fn be16(b: &[u8], at: usize) -> Option<u64> {
    Some(u16::from_be_bytes([*b.get(at)?, *b.get(at + 1)?]) as u64)
}

fn be32(b: &[u8], at: usize) -> Option<u64> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?) as u64)
}

/// One page, with the offset of its b-tree header (page 1 starts with the file header).
fn page(db: &mut Mounted, number: u64) -> Option<(Vec<u8>, usize)> {
    let size = db.page_size as usize;
    let mut buf = vec![0u8; size];
    let got = db.read(&mut buf, (number - 1) * size as u64).ok()?;
    (got == size).then_some((buf, if number == 1 { 100 } else { 0 }))
}

/// `n` indexes spread evenly over `0..len`.
fn spread(len: usize, n: usize) -> Vec<usize> {
    if len <= n {
        return (0..len).collect();
    }
    (0..n).map(|i| i * (len - 1) / (n - 1).max(1)).collect()
}

/// The estimated number of rows of the table whose b-tree starts at `root`, or `None` when
/// the table is small enough to count exactly (or its pages do not look like a b-tree, in
/// which case `count(*)` will say what is wrong).
pub fn estimate(db: &mut Mounted, root: u64) -> Option<i64> {
    if root == 0 {
        return None;
    }
    let is_leaf = |kind: u8| kind == 0x0a || kind == 0x0d;
    // The pages read on the current level (a sample when it is wide), and how many pages the
    // level holds in all.
    let mut level: Vec<u64> = vec![root];
    let mut level_total: f64 = 1.0;
    // Rows stored in interior pages: only index b-trees keep entries there.
    let mut interior_rows: f64 = 0.0;
    for _depth in 0..12 {
        let picked = spread(level.len(), LEVEL_SAMPLES);
        let scale = level_total / picked.len() as f64;
        let mut children: Vec<u64> = Vec::new();
        let mut children_seen = 0f64;
        let mut leaves = 0usize;
        for &i in &picked {
            let (buf, h) = page(db, level[i])?;
            let kind = *buf.get(h)?;
            let cells = be16(&buf, h + 3)?;
            if is_leaf(kind) {
                leaves += 1;
            } else if kind == 0x02 || kind == 0x05 {
                // Interior, index (0x02) or table (0x05): a child per cell, and the rightmost.
                if kind == 0x02 {
                    interior_rows += cells as f64 * scale;
                }
                for c in 0..cells as usize {
                    let ptr = be16(&buf, h + 12 + 2 * c)? as usize;
                    children.push(be32(&buf, ptr)?);
                }
                children.push(be32(&buf, h + 8)?);
                children_seen += cells as f64 + 1.0;
            } else {
                return None;
            }
        }
        if leaves > 0 {
            // Only a root can be a leaf here (lower leaf levels are caught below).
            return None;
        }
        level_total = children_seen * scale;
        level = children;
        let (first, h) = page(db, *level.first()?)?;
        if is_leaf(*first.get(h)?) {
            if level_total as u64 <= EXACT_LEAVES {
                return None;
            }
            // Rows per leaf from a few leaves spread over the table.
            let (mut cells, mut n) = (0u64, 0u64);
            for i in spread(level.len(), LEAF_SAMPLES) {
                let (buf, h) = page(db, level[i])?;
                if !is_leaf(*buf.get(h)?) {
                    return None;
                }
                cells += be16(&buf, h + 3)?;
                n += 1;
            }
            let per_leaf = cells as f64 / n.max(1) as f64;
            return Some((per_leaf * level_total + interior_rows).round() as i64);
        }
    }
    None
}
