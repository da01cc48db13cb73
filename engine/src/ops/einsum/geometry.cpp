// Einsum's equation parsed against its operands' shapes (einsum.h), shape inference and the FLOP
// count. The rules are numpy's, as ONNX's spec and reference use them: labels are letters, "..."
// stands for the leading axes not named (right-aligned and broadcast across operands), and without
// "->" the output is the ellipsis axes followed by the letters used exactly once, sorted.
#include <algorithm>
#include <map>

#include "ops/common.h"
#include "ops/einsum/einsum.h"

namespace algoscope::ops::einsum {
namespace {

constexpr int kEllipsis = -1;
// Label codes: a letter is its character; the j-th axis of the broadcast ellipsis is 256 + j.
constexpr int kEllipsisAxis = 256;

// "'c'", built by appending: GCC 12 warns falsely (-Wrestrict) on "'" + std::string(1, c).
std::string quoted(char c) {
  std::string text = "'";
  text += c;
  text += '\'';
  return text;
}

std::string label_text(int code) {
  return code >= kEllipsisAxis ? "axis " + std::to_string(code - kEllipsisAxis) + " of '...'"
                               : quoted(char(code));
}

// A term's letters, with kEllipsis where "..." stands.
std::vector<int> parse_term(const std::string& text, const std::string& what) {
  std::vector<int> codes;
  bool ellipsis = false;
  for (size_t i = 0; i < text.size();) {
    if (text.compare(i, 3, "...") == 0) {
      require(!ellipsis, "Einsum: " + what + " '" + text + "' has '...' twice");
      ellipsis = true;
      codes.push_back(kEllipsis);
      i += 3;
      continue;
    }
    const char c = text[i];
    require((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'),
            "Einsum: " + what + " '" + text + "' has " + quoted(c) +
                ", which is not a label (labels are the letters a-z and A-Z)");
    codes.push_back(c);
    ++i;
  }
  return codes;
}

}  // namespace

bool EinsumGeometry::in_output(int label) const {
  return std::find(output.begin(), output.end(), label) != output.end();
}

EinsumGeometry einsum_geometry(const Layer& layer) {
  std::string equation;
  for (char c : layer.n().attr_string("equation", "")) {
    if (c != ' ') equation += c;
  }
  require(!equation.empty(), "Einsum: the equation attribute is missing or empty");
  const size_t arrow = equation.find("->");
  const std::string lhs = equation.substr(0, arrow);
  std::vector<std::string> terms(1);
  for (char c : lhs) {
    if (c == ',')
      terms.emplace_back();
    else
      terms.back() += c;
  }
  const size_t operands = layer.inputs.size();
  require(terms.size() == operands,
          "Einsum: the equation '" + equation + "' has " + std::to_string(terms.size()) +
              " operand term(s), the node " + std::to_string(operands) + " input(s)");
  EinsumGeometry g;
  for (size_t i = 0; i < operands; ++i) {
    require(layer.has_input(i), "Einsum: input " + std::to_string(i) + " is missing");
    require(layer.inputs[i].dtype == layer.inputs[0].dtype,
            "Einsum: the inputs have different element types");
  }
  g.dtype = operands ? layer.inputs[0].dtype : DType::Float32;
  require(g.dtype == DType::Float32 || g.dtype == DType::Int64 || g.dtype == DType::Int32,
          std::string("Einsum: element type ") + dtype_name(g.dtype) +
              " is not supported (float, int64, int32)");

  // Each operand's axes as label codes, the ellipsis expanded right-aligned.
  std::vector<std::vector<int>> axis_codes(operands);
  std::vector<std::vector<int>> parsed(operands);
  size_t ellipsis_rank = 0;
  for (size_t i = 0; i < operands; ++i) {
    parsed[i] = parse_term(terms[i], "operand term " + std::to_string(i));
    const size_t rank = layer.inputs[i].shape.size();
    const bool has_ellipsis =
        std::find(parsed[i].begin(), parsed[i].end(), kEllipsis) != parsed[i].end();
    const size_t letters = parsed[i].size() - (has_ellipsis ? 1 : 0);
    require(has_ellipsis ? letters <= rank : letters == rank,
            "Einsum: operand term " + std::to_string(i) + " '" + terms[i] + "' names " +
                std::to_string(letters) + " axes, input " + std::to_string(i) + " has rank " +
                std::to_string(rank));
    if (has_ellipsis) ellipsis_rank = std::max(ellipsis_rank, rank - letters);
  }
  std::map<int, int> id;  // label code -> label number
  auto label_id = [&](int code) {
    auto [it, added] = id.emplace(code, int(g.extent.size()));
    if (added) g.extent.push_back(-1);
    return it->second;
  };
  for (size_t i = 0; i < operands; ++i) {
    const Shape& shape = layer.inputs[i].shape;
    const size_t own = shape.size() - (parsed[i].size() - 1);  // its ellipsis axes, if any
    for (int code : parsed[i]) {
      if (code != kEllipsis) {
        axis_codes[i].push_back(code);
        continue;
      }
      for (size_t j = 0; j < own; ++j)
        axis_codes[i].push_back(kEllipsisAxis + int(ellipsis_rank - own + j));
    }
    for (size_t axis = 0; axis < shape.size(); ++axis) {
      const int code = axis_codes[i][axis];
      int64_t& extent = g.extent[size_t(label_id(code))];
      const int64_t here = shape[axis];
      if (extent < 0 || (code >= kEllipsisAxis && extent == 1)) {
        extent = here;
      } else if (here != extent && !(code >= kEllipsisAxis && here == 1)) {
        throw Error("Einsum: label " + label_text(code) + " has extent " + std::to_string(extent) +
                    " elsewhere and " + std::to_string(here) + " in input " + std::to_string(i) +
                    (code >= kEllipsisAxis ? " (they do not broadcast)" : ""));
      }
    }
  }
  // Strides: a repeated label adds its axes' strides (a diagonal); a broadcast axis adds none.
  g.stride.assign(operands, std::vector<int64_t>(g.labels(), 0));
  g.has.assign(operands, std::vector<bool>(g.labels(), false));
  for (size_t i = 0; i < operands; ++i) {
    const Shape& shape = layer.inputs[i].shape;
    int64_t step = 1;
    for (size_t axis = shape.size(); axis-- > 0;) {
      const int label = id.at(axis_codes[i][axis]);
      g.has[i][size_t(label)] = true;
      if (shape[axis] == g.extent[size_t(label)]) g.stride[i][size_t(label)] += step;
      step *= shape[axis];
    }
  }
  // The output's labels.
  if (arrow != std::string::npos) {
    const std::string rhs = equation.substr(arrow + 2);
    require(rhs.find("->") == std::string::npos,
            "Einsum: the equation '" + equation + "' has '->' twice");
    for (int code : parse_term(rhs, "output term")) {
      if (code == kEllipsis) {
        for (size_t j = 0; j < ellipsis_rank; ++j)
          g.output.push_back(id.at(kEllipsisAxis + int(j)));
        continue;
      }
      auto it = id.find(code);
      require(it != id.end(), "Einsum: output label " + label_text(code) + " is in no operand");
      require(!g.in_output(it->second),
              "Einsum: output label " + label_text(code) + " appears twice");
      g.output.push_back(it->second);
    }
  } else {
    for (size_t j = 0; j < ellipsis_rank; ++j) g.output.push_back(id.at(kEllipsisAxis + int(j)));
    std::map<int, int> uses;  // letter code -> how many axes of all operands carry it
    for (const auto& codes : axis_codes)
      for (int code : codes)
        if (code < kEllipsisAxis) ++uses[code];
    for (const auto& [code, count] : uses)  // std::map: sorted, uppercase before lowercase
      if (count == 1) g.output.push_back(id.at(code));
  }
  for (int label : g.output) g.output_shape.push_back(g.extent[size_t(label)]);
  return g;
}

std::vector<TensorInfo> infer(const Layer& layer) {
  const EinsumGeometry g = einsum_geometry(layer);
  return {{g.dtype, g.output_shape}};
}

double flops(const Layer& layer) {
  const EinsumGeometry g = einsum_geometry(layer);
  double terms = 1;
  for (int64_t extent : g.extent) terms *= double(extent);
  return terms * double(g.stride.size());
}

}  // namespace algoscope::ops::einsum
