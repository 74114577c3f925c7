//! Lays the dependency graph out in layers (Sugiyama's method, via the `rust-sugiyama` crate):
//! prerequisites above the items that wait for them, crossings reduced, each connected
//! component laid out on its own and the components packed in rows.

use crate::protocol::{PlacedEdge, PlacedGraph, PlacedNode};
use motus_core::overview::DependencyGraph;
use rust_sugiyama::configure::Config;
use std::collections::HashMap;

pub const NODE_W: f64 = 170.0;
pub const NODE_H: f64 = 44.0;
const GAP: f64 = 60.0;
const MAX_ROW_WIDTH: f64 = 2600.0;

pub fn place(graph: &DependencyGraph) -> PlacedGraph {
    let index: HashMap<&str, u32> = graph
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.id.as_str(), i as u32))
        .collect();
    let vertices: Vec<(u32, (f64, f64))> = (0..graph.nodes.len() as u32)
        .map(|i| (i, (NODE_W, NODE_H)))
        .collect();
    let edges: Vec<(u32, u32)> = graph
        .edges
        .iter()
        .filter_map(|e| Some((*index.get(e.from.as_str())?, *index.get(e.to.as_str())?)))
        .collect();
    let config = Config {
        vertex_spacing: 40.0,
        ..Default::default()
    };
    let components = if vertices.is_empty() {
        Vec::new()
    } else {
        rust_sugiyama::from_vertices_and_edges(&vertices, &edges, &config)
    };
    let mut pos: HashMap<usize, (f64, f64)> = HashMap::new();
    let (mut cursor_x, mut cursor_y, mut row_h, mut width) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
    for (coords, _, _) in components {
        if coords.is_empty() {
            continue;
        }
        let min_x = coords.iter().map(|(_, (x, _))| *x).fold(f64::MAX, f64::min);
        let max_x = coords.iter().map(|(_, (x, _))| *x).fold(f64::MIN, f64::max);
        let min_y = coords.iter().map(|(_, (_, y))| *y).fold(f64::MAX, f64::min);
        let max_y = coords.iter().map(|(_, (_, y))| *y).fold(f64::MIN, f64::max);
        // rust-sugiyama gives layer distance in y of 1 per layer for some configs; scale so
        // layers never overlap.
        let ys: Vec<f64> = {
            let mut v: Vec<f64> = coords.iter().map(|(_, (_, y))| *y).collect();
            v.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
            v.dedup();
            v
        };
        let layer_gap = ys.windows(2).map(|w| w[1] - w[0]).fold(f64::MAX, f64::min);
        let y_scale = if layer_gap.is_finite() && layer_gap > 0.0 && layer_gap < NODE_H + GAP {
            (NODE_H + GAP) / layer_gap
        } else {
            1.0
        };
        let comp_w = (max_x - min_x) + NODE_W;
        let comp_h = (max_y - min_y) * y_scale + NODE_H;
        if cursor_x > 0.0 && cursor_x + comp_w > MAX_ROW_WIDTH {
            cursor_x = 0.0;
            cursor_y += row_h + GAP;
            row_h = 0.0;
        }
        for (id, (x, y)) in &coords {
            pos.insert(
                *id,
                (cursor_x + (x - min_x), cursor_y + (y - min_y) * y_scale),
            );
        }
        cursor_x += comp_w + GAP;
        row_h = row_h.max(comp_h);
        width = width.max(cursor_x);
    }
    let nodes: Vec<PlacedNode> = graph
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let (x, y) = pos.get(&i).copied().unwrap_or((0.0, 0.0));
            PlacedNode {
                node: n.clone(),
                x,
                y,
            }
        })
        .collect();
    let edges = graph
        .edges
        .iter()
        .filter_map(|e| {
            let a = &nodes[*index.get(e.from.as_str())? as usize];
            let b = &nodes[*index.get(e.to.as_str())? as usize];
            Some(PlacedEdge {
                from: e.from.clone(),
                to: e.to.clone(),
                dependency_type: e.dependency_type.clone(),
                x1: a.x + NODE_W / 2.0,
                y1: a.y + NODE_H,
                x2: b.x + NODE_W / 2.0,
                y2: b.y,
            })
        })
        .collect();
    PlacedGraph {
        nodes,
        edges,
        width: width.max(NODE_W),
        height: cursor_y + row_h + NODE_H,
    }
}
