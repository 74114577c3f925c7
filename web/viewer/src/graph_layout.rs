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

/// Sugiyama's crossing reduction is worth its cost only on small acyclic graphs (a dense
/// cyclic one took it 25 s); anything bigger gets the linear-time layering below.
const SUGIYAMA_MAX_NODES: usize = 250;
const SUGIYAMA_MAX_EDGES: usize = 400;

pub fn place(graph: &DependencyGraph) -> PlacedGraph {
    // A self-loop is no ordering at all (and trips the layout library): mark the item instead.
    let mut self_loops: Vec<String> = graph
        .edges
        .iter()
        .filter(|e| e.from == e.to)
        .map(|e| e.from.clone())
        .collect();
    self_loops.sort();
    self_loops.dedup();
    let mut g = graph.clone();
    g.edges.retain(|e| e.from != e.to);
    let index: HashMap<&str, usize> = g
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.id.as_str(), i))
        .collect();
    let pairs: Vec<(usize, usize)> = g
        .edges
        .iter()
        .filter_map(|e| Some((*index.get(e.from.as_str())?, *index.get(e.to.as_str())?)))
        .collect();
    let (layers, cyclic) = layers(g.nodes.len(), &pairs);
    let mut placed =
        if !cyclic && g.nodes.len() <= SUGIYAMA_MAX_NODES && pairs.len() <= SUGIYAMA_MAX_EDGES {
            place_sugiyama(&g)
        } else {
            place_layers(&g, &layers)
        };
    placed.self_loops = self_loops;
    placed.cyclic = cyclic;
    placed.total_nodes = graph.total_nodes.max(graph.nodes.len());
    placed.total_edges = graph.total_edges.max(graph.edges.len());
    placed
}

/// A layer per node: longest path from a node with no prerequisites, with cycles broken
/// (Kahn's algorithm; when every remaining node waits, the one waiting on the fewest is
/// released). O(nodes + edges) apart from the cycle breaks. Also says whether a cycle exists.
fn layers(n: usize, edges: &[(usize, usize)]) -> (Vec<usize>, bool) {
    let mut out_edges: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut indeg = vec![0usize; n];
    for &(a, b) in edges {
        out_edges[a].push(b);
        indeg[b] += 1;
    }
    let mut layer = vec![0usize; n];
    let mut done = vec![false; n];
    let mut queue: std::collections::VecDeque<usize> = (0..n).filter(|&i| indeg[i] == 0).collect();
    let mut seen = 0;
    let mut cyclic = false;
    while seen < n {
        let Some(v) = queue.pop_front() else {
            cyclic = true;
            // Release the waiting node with the fewest unmet prerequisites.
            let v = (0..n)
                .filter(|&i| !done[i])
                .min_by_key(|&i| indeg[i])
                .expect("a node remains");
            indeg[v] = 0;
            queue.push_back(v);
            continue;
        };
        if done[v] {
            continue;
        }
        done[v] = true;
        seen += 1;
        for &w in &out_edges[v] {
            if done[w] {
                continue;
            }
            layer[w] = layer[w].max(layer[v] + 1);
            indeg[w] = indeg[w].saturating_sub(1);
            if indeg[w] == 0 {
                queue.push_back(w);
            }
        }
    }
    (layer, cyclic)
}

/// Rows of layers, wrapped so no row gets wider than the page.
fn place_layers(graph: &DependencyGraph, layer: &[usize]) -> PlacedGraph {
    const PER_ROW: usize = 12;
    let max_layer = layer.iter().copied().max().unwrap_or(0);
    let mut by_layer: Vec<Vec<usize>> = vec![Vec::new(); max_layer + 1];
    for (i, l) in layer.iter().enumerate() {
        by_layer[*l].push(i);
    }
    let mut pos = vec![(0.0, 0.0); graph.nodes.len()];
    let mut y = 0.0;
    let mut width: f64 = NODE_W;
    for members in &by_layer {
        for (k, chunk) in members.chunks(PER_ROW).enumerate() {
            if k > 0 {
                y += NODE_H + 24.0;
            }
            for (j, &i) in chunk.iter().enumerate() {
                let x = j as f64 * (NODE_W + 40.0);
                pos[i] = (x, y);
                width = width.max(x + NODE_W);
            }
        }
        if !members.is_empty() {
            y += NODE_H + GAP;
        }
    }
    finish(graph, |i| pos[i], width, y)
}

fn finish(
    graph: &DependencyGraph,
    pos: impl Fn(usize) -> (f64, f64),
    width: f64,
    height: f64,
) -> PlacedGraph {
    let index: HashMap<&str, usize> = graph
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.id.as_str(), i))
        .collect();
    let nodes: Vec<PlacedNode> = graph
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let (x, y) = pos(i);
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
            let a = &nodes[*index.get(e.from.as_str())?];
            let b = &nodes[*index.get(e.to.as_str())?];
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
        height: height.max(NODE_H),
        total_nodes: graph.nodes.len(),
        total_edges: graph.edges.len(),
        self_loops: Vec::new(),
        cyclic: false,
    }
}

fn place_sugiyama(graph: &DependencyGraph) -> PlacedGraph {
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
    finish(
        graph,
        |i| pos.get(&i).copied().unwrap_or((0.0, 0.0)),
        width,
        cursor_y + row_h + NODE_H,
    )
}
