// Rollout is a chain of small matrix products. Flow solves one max-flow problem per
// (output, input) pair with Dinic's algorithm on the layered graph; layered graphs keep BFS
// levels equal to layer indices, so each problem is cheap.
#include "core/analysis/rollout.h"

#include <algorithm>
#include <limits>
#include <queue>
#include <stdexcept>

namespace attnscope {

MatrixRM withResidual(const Eigen::Ref<const MatrixRM>& meanAttention)
{
    MatrixRM a = 0.5f * meanAttention;
    a.diagonal().array() += 0.5f;
    for (Eigen::Index i = 0; i < a.rows(); ++i) {
        const float s = a.row(i).sum();
        if (s > 0.0f) a.row(i) /= s;
    }
    return a;
}

MatrixRM attentionRollout(const std::vector<MatrixRM>& layerMeans)
{
    if (layerMeans.empty()) return {};
    MatrixRM r = withResidual(layerMeans.front());
    for (size_t l = 1; l < layerMeans.size(); ++l) {
        const MatrixRM next = withResidual(layerMeans[l]) * r;
        r = next;
    }
    return r;
}

namespace {

struct FlowGraph {
    struct Edge { int to; double cap; };
    std::vector<Edge> edges;
    std::vector<std::vector<int>> adj;
    std::vector<int> level, iter;

    explicit FlowGraph(int n) : adj(size_t(n)), level(size_t(n)), iter(size_t(n)) {}
    void add(int u, int v, double cap)
    {
        adj[size_t(u)].push_back(int(edges.size()));
        edges.push_back({v, cap});
        adj[size_t(v)].push_back(int(edges.size()));
        edges.push_back({u, 0.0});
    }
    bool bfs(int s, int t)
    {
        std::fill(level.begin(), level.end(), -1);
        std::queue<int> q;
        level[size_t(s)] = 0;
        q.push(s);
        while (!q.empty()) {
            const int u = q.front();
            q.pop();
            for (const int e : adj[size_t(u)])
                if (edges[size_t(e)].cap > 1e-12 && level[size_t(edges[size_t(e)].to)] < 0) {
                    level[size_t(edges[size_t(e)].to)] = level[size_t(u)] + 1;
                    q.push(edges[size_t(e)].to);
                }
        }
        return level[size_t(t)] >= 0;
    }
    double dfs(int u, int t, double f)
    {
        if (u == t) return f;
        for (int& i = iter[size_t(u)]; i < int(adj[size_t(u)].size()); ++i) {
            const int e = adj[size_t(u)][size_t(i)];
            Edge& ed = edges[size_t(e)];
            if (ed.cap > 1e-12 && level[size_t(ed.to)] == level[size_t(u)] + 1) {
                const double d = dfs(ed.to, t, std::min(f, ed.cap));
                if (d > 0) {
                    ed.cap -= d;
                    edges[size_t(e ^ 1)].cap += d;
                    return d;
                }
            }
        }
        return 0.0;
    }
    double maxFlow(int s, int t)
    {
        double flow = 0.0;
        while (bfs(s, t)) {
            std::fill(iter.begin(), iter.end(), 0);
            while (const double f = dfs(s, t, std::numeric_limits<double>::infinity())) flow += f;
        }
        return flow;
    }
};

} // namespace

MatrixRM attentionFlow(const std::vector<MatrixRM>& layerMeans)
{
    if (layerMeans.empty()) return {};
    const int t = int(layerMeans.front().rows());
    if (t > kMaxFlowTokens)
        throw std::invalid_argument("attention flow is limited to " + std::to_string(kMaxFlowTokens) + " tokens");
    const int layers = int(layerMeans.size());
    std::vector<MatrixRM> caps;
    for (const MatrixRM& m : layerMeans) caps.push_back(withResidual(m));
    MatrixRM out(t, t);
    // Node (l, p) = l·T + p; l = 0 is the input, l = L the top.
    for (int i = 0; i < t; ++i) {
        for (int j = 0; j < t; ++j) {
            FlowGraph g((layers + 1) * t);
            for (int l = 1; l <= layers; ++l)
                for (int q = 0; q < t; ++q)
                    for (int k = 0; k < t; ++k) {
                        const double c = caps[size_t(l - 1)](q, k);
                        if (c > 0.0) g.add((l - 1) * t + k, l * t + q, c);
                    }
            out(i, j) = float(g.maxFlow(j, layers * t + i));
        }
    }
    return out;
}

} // namespace attnscope
