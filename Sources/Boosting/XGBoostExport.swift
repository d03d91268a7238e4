import Foundation
import Runtime

/// Export to XGBoost's JSON model format (the schema of XGBoost 2.x/3.x `save_model("….json")`),
/// so that `xgboost.Booster(model_file=…)` loads the model and predicts the same values.
///
/// Our split "x < threshold goes left, NaN goes to the default side" is XGBoost's numerical
/// split exactly, so thresholds are written as they are; leaves carry their value in
/// `split_conditions` (as XGBoost does). `base_score` is written in the vector form of 3.x
/// (`"[5E-1]"`), a probability for `binary:logistic`.
extension BoostedModel {
    /// The model as XGBoost JSON.
    public func xgboostJSON() -> String {
        func num(_ x: Float) -> String {
            if x.isNaN { return "0" }
            if x == .infinity { return Float.greatestFiniteMagnitude.description }
            if x == -.infinity { return (-Float.greatestFiniteMagnitude).description }
            return x.description
        }
        func list<T>(_ xs: [T], _ f: (T) -> String) -> String { "[" + xs.map(f).joined(separator: ",") + "]" }
        let nf = featureCount
        var treesJSON: [String] = []
        for (k, t) in trees.enumerated() {
            let n = t.count
            var parents = [Int](repeating: 2_147_483_647, count: n)
            var rights = [Int](repeating: -1, count: n)
            var lefts = [Int](repeating: -1, count: n)
            var conds = [Float](repeating: 0, count: n)
            var idx = [Int](repeating: 0, count: n)
            for i in 0..<n {
                if t.feature[i] >= 0 {
                    let l = Int(t.left[i])
                    lefts[i] = l; rights[i] = l + 1
                    parents[l] = i; parents[l + 1] = i
                    conds[i] = t.threshold[i]
                    idx[i] = Int(t.feature[i])
                } else {
                    conds[i] = t.value[i]
                }
            }
            let zeros = list(Array(repeating: 0, count: n)) { String($0) }
            treesJSON.append("""
            {"base_weights":\(list(t.value, num)),"categories":[],"categories_nodes":[],"categories_segments":[],\
            "categories_sizes":[],"default_left":\(list(t.defaultLeft) { $0 ? "1" : "0" }),"id":\(k),\
            "left_children":\(list(lefts) { String($0) }),"loss_changes":\(list(t.gain, num)),\
            "parents":\(list(parents) { String($0) }),"right_children":\(list(rights) { String($0) }),\
            "split_conditions":\(list(conds, num)),"split_indices":\(list(idx) { String($0) }),"split_type":\(zeros),\
            "sum_hessian":\(list(t.cover, num)),"tree_param":{"num_deleted":"0","num_feature":"\(nf)","num_nodes":"\(n)","size_leaf_vector":"1"}}
            """)
        }
        let names = list(featureNames) { JSONString.quote($0) }
        let types = list(featureNames) { _ in "\"float\"" }
        let base = String(format: "%.9g", Double(baseScore))
        return """
        {"learner":{"attributes":{},"feature_names":\(names),"feature_types":\(types),\
        "gradient_booster":{"model":{"cats":{"enc":[],"feature_segments":[],"sorted_idx":[]},\
        "gbtree_model_param":{"num_parallel_tree":"1","num_trees":"\(trees.count)"},\
        "iteration_indptr":\(list(Array(0...trees.count)) { String($0) }),"tree_info":\(list(Array(repeating: 0, count: trees.count)) { String($0) }),\
        "trees":[\(treesJSON.joined(separator: ","))]},"name":"gbtree"},\
        "learner_model_param":{"base_score":"[\(base)]","boost_from_average":"1","num_class":"0","num_feature":"\(nf)","num_target":"1"},\
        "objective":{"name":"\(objective.rawValue)","reg_loss_param":{"scale_pos_weight":"1"}}},"version":[3,2,0]}
        """
    }

    /// Writes `xgboostJSON()` atomically to `path`.
    public func exportXGBoost(path: String) throws {
        try AtomicFile.write(xgboostJSON(), to: path)
    }
}
