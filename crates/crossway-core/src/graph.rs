//! The knowledge graph: knowledge points (KPs) and their prerequisite edges.

use std::collections::HashMap;

/// One knowledge point as the planner sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct KpNode {
    pub id: String,
    pub module: String,
    pub prerequisites: Vec<String>,
    pub minutes: u32,
    pub difficulty: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GraphError {
    #[error("duplicate knowledge point id `{0}`")]
    DuplicateKp(String),
    #[error("knowledge point `{kp}` names unknown prerequisite `{missing}`")]
    UnknownPrerequisite { kp: String, missing: String },
    #[error("prerequisites form a cycle: {}", .0.join(" → "))]
    Cycle(Vec<String>),
}

/// A validated, acyclic prerequisite graph. Node order is the pack's authoring order.
#[derive(Debug, Clone, Default)]
pub struct KnowledgeGraph {
    nodes: Vec<KpNode>,
    index: HashMap<String, usize>,
    /// `dependents[i]`: nodes that list node `i` as a prerequisite.
    dependents: Vec<Vec<usize>>,
    /// `prerequisites[i]`: node `i`'s prerequisites, as indices.
    prerequisites: Vec<Vec<usize>>,
    /// A topological order (prerequisites first; ties by authoring order).
    topo: Vec<usize>,
}

impl KnowledgeGraph {
    pub fn new(nodes: Vec<KpNode>) -> Result<Self, GraphError> {
        let mut index = HashMap::with_capacity(nodes.len());
        for (i, n) in nodes.iter().enumerate() {
            if index.insert(n.id.clone(), i).is_some() {
                return Err(GraphError::DuplicateKp(n.id.clone()));
            }
        }
        let mut dependents = vec![Vec::new(); nodes.len()];
        let mut prerequisites = vec![Vec::new(); nodes.len()];
        let mut indegree = vec![0usize; nodes.len()];
        for (i, n) in nodes.iter().enumerate() {
            for p in &n.prerequisites {
                let &j = index
                    .get(p)
                    .ok_or_else(|| GraphError::UnknownPrerequisite { kp: n.id.clone(), missing: p.clone() })?;
                dependents[j].push(i);
                prerequisites[i].push(j);
                indegree[i] += 1;
            }
        }
        // Kahn's algorithm with a min-heap on authoring order keeps the order stable and natural.
        let mut ready: std::collections::BinaryHeap<std::cmp::Reverse<usize>> =
            (0..nodes.len()).filter(|&i| indegree[i] == 0).map(std::cmp::Reverse).collect();
        let mut topo = Vec::with_capacity(nodes.len());
        while let Some(std::cmp::Reverse(i)) = ready.pop() {
            topo.push(i);
            for &d in &dependents[i] {
                indegree[d] -= 1;
                if indegree[d] == 0 {
                    ready.push(std::cmp::Reverse(d));
                }
            }
        }
        if topo.len() < nodes.len() {
            return Err(GraphError::Cycle(find_cycle(&nodes, &index, &indegree)));
        }
        Ok(Self { nodes, index, dependents, prerequisites, topo })
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    pub fn get(&self, id: &str) -> Option<&KpNode> {
        self.index.get(id).map(|&i| &self.nodes[i])
    }

    pub fn nodes(&self) -> &[KpNode] {
        &self.nodes
    }

    pub fn idx(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }

    pub(crate) fn node(&self, i: usize) -> &KpNode {
        &self.nodes[i]
    }

    pub(crate) fn prerequisites_of(&self, i: usize) -> &[usize] {
        &self.prerequisites[i]
    }

    pub(crate) fn dependents_of(&self, i: usize) -> &[usize] {
        &self.dependents[i]
    }

    pub(crate) fn topo_order(&self) -> &[usize] {
        &self.topo
    }

    /// Every prerequisite of `id`, transitively (not including `id`).
    pub fn ancestors(&self, id: &str) -> Vec<&str> {
        let Some(start) = self.idx(id) else { return Vec::new() };
        let mut seen = vec![false; self.nodes.len()];
        let mut stack = vec![start];
        let mut out = Vec::new();
        while let Some(i) = stack.pop() {
            for p in &self.nodes[i].prerequisites {
                if let Some(j) = self.idx(p) {
                    if !seen[j] {
                        seen[j] = true;
                        out.push(self.nodes[j].id.as_str());
                        stack.push(j);
                    }
                }
            }
        }
        out
    }
}

/// Walks prerequisite edges among the nodes Kahn's algorithm could not place until a node repeats.
fn find_cycle(nodes: &[KpNode], index: &HashMap<String, usize>, indegree: &[usize]) -> Vec<String> {
    let Some(start) = (0..nodes.len()).find(|&i| indegree[i] > 0) else { return Vec::new() };
    let mut path = vec![start];
    let mut on_path = vec![usize::MAX; nodes.len()];
    on_path[start] = 0;
    let mut cur = start;
    loop {
        let next = nodes[cur].prerequisites.iter().filter_map(|p| index.get(p).copied()).find(|&j| indegree[j] > 0);
        let Some(next) = next else { break };
        if on_path[next] != usize::MAX {
            let mut cycle: Vec<String> = path[on_path[next]..].iter().rev().map(|&i| nodes[i].id.clone()).collect();
            cycle.push(cycle[0].clone());
            return cycle;
        }
        on_path[next] = path.len();
        path.push(next);
        cur = next;
    }
    path.iter().map(|&i| nodes[i].id.clone()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kp(id: &str, pre: &[&str]) -> KpNode {
        KpNode {
            id: id.into(),
            module: "m".into(),
            prerequisites: pre.iter().map(|s| s.to_string()).collect(),
            minutes: 10,
            difficulty: 1,
        }
    }

    #[test]
    fn topological_order_puts_prerequisites_first() {
        let g = KnowledgeGraph::new(vec![kp("c", &["b"]), kp("a", &[]), kp("b", &["a"])]).unwrap();
        let order: Vec<_> = g.topo_order().iter().map(|&i| g.node(i).id.as_str()).collect();
        assert_eq!(order, ["a", "b", "c"]);
        let mut anc = g.ancestors("c");
        anc.sort();
        assert_eq!(anc, ["a", "b"]);
    }

    #[test]
    fn cycles_and_unknown_prerequisites_are_named() {
        let err = KnowledgeGraph::new(vec![kp("a", &["c"]), kp("b", &["a"]), kp("c", &["b"])]).unwrap_err();
        match err {
            GraphError::Cycle(c) => {
                assert_eq!(c.len(), 4, "{c:?}");
                assert_eq!(c.first(), c.last());
            }
            other => panic!("expected a cycle, got {other}"),
        }
        let err = KnowledgeGraph::new(vec![kp("a", &["zzz"])]).unwrap_err();
        assert_eq!(err.to_string(), "knowledge point `a` names unknown prerequisite `zzz`");
        let err = KnowledgeGraph::new(vec![kp("a", &[]), kp("a", &[])]).unwrap_err();
        assert_eq!(err, GraphError::DuplicateKp("a".into()));
    }
}
