// GraphView (graph_view.h): building the scene from the model and the collapsed blocks, colours,
// selection, find, the fits and the overlays (legend, minimap). The items paint themselves
// (graph_items.h); the layout comes from a GraphLayout.
#include "graph_view.h"

#include <QContextMenuEvent>
#include <QElapsedTimer>
#include <QGraphicsScene>
#include <QKeyEvent>
#include <QMenu>
#include <QPainter>
#include <QScrollBar>
#include <QWheelEvent>
#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <unordered_map>

#include "charts.h"
#include "graph_items.h"
#include "graph_minimap.h"
#include "model_document.h"
#include "results_export.h"
#include "sugiyama_layout.h"

namespace algoscope::gui {
namespace {

static_assert(GraphView::kLegibleScale >= kTextLevelOfDetail, "a legible view must draw node text");
// At most this many boxes in a model with every block collapsed (graph_groups.h picks the level).
constexpr int kMaxCollapsedBoxes = 60;
constexpr double kMaxFitScale = 1.2;  // small models: readable, not huge

QString valueShape(const Model& model, const std::string& name) {
  const ValueInfo* value = model.find_value(name);
  return value && value->known ? QString::fromStdString(shape_to_string(value->info.shape))
                               : QStringLiteral("?");
}

// "Conv ×6 · Relu ×6 · Concat ×3": what a collapsed block is made of, commonest first.
QString opSummary(const ModelDocument& document, const std::vector<int>& rows) {
  std::map<QString, int> counts;
  for (int row : rows) ++counts[document.layer(row).opType];
  std::vector<std::pair<int, QString>> byCount;
  for (const auto& [op, count] : counts) byCount.push_back({-count, op});
  std::sort(byCount.begin(), byCount.end());
  QStringList parts;
  for (const auto& [negCount, op] : byCount)
    parts << (negCount == -1 ? op : QStringLiteral("%1 ×%2").arg(op).arg(-negCount));
  return parts.join(QStringLiteral(" · "));
}

}  // namespace

GraphView::GraphView(ModelDocument* document, QWidget* parent)
    : QGraphicsView(parent), document_(document), layout_(std::make_unique<SugiyamaLayout>()) {
  setScene(new QGraphicsScene(this));
  setRenderHint(QPainter::Antialiasing);
  setRenderHint(QPainter::TextAntialiasing);
  setDragMode(QGraphicsView::ScrollHandDrag);
  setTransformationAnchor(QGraphicsView::AnchorUnderMouse);
  setViewportUpdateMode(QGraphicsView::SmartViewportUpdate);
  setOptimizationFlag(QGraphicsView::DontAdjustForAntialiasing);
  setBackgroundBrush(QColor(250, 250, 252));
  setFocusPolicy(Qt::StrongFocus);
  legend_ = new GraphLegend(viewport());
  legend_->hide();
  // A child of the view, not of the viewport, so that scrolling the scene leaves it in place.
  minimap_ = new GraphMinimap(this);
  minimap_->setObjectName(QStringLiteral("graphMinimap"));
  minimap_->hide();
  connect(minimap_, &GraphMinimap::centerRequested, this,
          [this](QPointF point) { centerOn(point); });
  // Scrolling moves the minimap's frame. The view places a scene smaller than the viewport only
  // after the scroll bars have signalled, so the zooms update the minimap once more when done.
  for (QScrollBar* bar : {horizontalScrollBar(), verticalScrollBar()}) {
    connect(bar, &QScrollBar::valueChanged, this, &GraphView::updateMinimap);
    connect(bar, &QScrollBar::rangeChanged, this, &GraphView::updateMinimap);
  }
  connect(document_, &ModelDocument::modelChanged, this, &GraphView::rebuild);
  connect(document_, &ModelDocument::planChanged, this, [this] {
    refreshAlgorithms();
    refreshColors();
    refreshEdgeCosts();
  });
  connect(document_, &ModelDocument::measurementsChanged, this, [this] {
    if (colorMode_ == ColorMode::Latency || colorMode_ == ColorMode::AccumulatedError)
      refreshColors();
    refreshEdgeCosts();
  });
  connect(document_, &ModelDocument::currentRowChanged, this, &GraphView::showCurrentRow);
}

GraphView::~GraphView() = default;

void GraphView::setLayoutEngine(std::unique_ptr<GraphLayout> layout) {
  layout_ = std::move(layout);
  rebuild();
}

void GraphView::setColorMode(ColorMode mode) {
  colorMode_ = mode;
  refreshColors();
}

void GraphView::rebuild() {
  blocks_ = {};
  findText_.clear();
  matchedRows_.clear();
  if (document_->hasModel()) {
    std::vector<QString> names;
    for (int row = 0; row < document_->layerCount(); ++row)
      names.push_back(document_->layer(row).name);
    blocks_ = groupLayersByPrefix(names, kMaxCollapsedBoxes);
  }
  collapsed_.assign(blocks_.prefixes.size(), false);
  relayout();
  zoomToFit();
}

void GraphView::relayout() {
  scene()->clear();
  nodes_.clear();
  edges_.clear();
  edgeEnds_.clear();
  edgesOfNode_.clear();
  itemOfRow_.clear();
  highlighted_ = nullptr;
  const Model* model = document_->model();
  if (!model) {
    legend_->hide();
    updateMinimap();
    return;
  }
  // Items: graph inputs, then the layers (a collapsed block's box where its first layer is),
  // then graph outputs; edges follow the values, one per pair of items.
  LayoutGraph graph;
  std::set<std::pair<int, int>> edgeSet;
  auto addEdge = [&](int from, int to) {
    if (from != to && edgeSet.insert({from, to}).second) graph.edges.emplace_back(from, to);
  };
  auto addItem = [&](NodeItem* item) {
    nodes_.push_back(item);
    graph.sizes.push_back(item->boundingRect().adjusted(3, 3, -3, -3).size());
    return int(nodes_.size()) - 1;
  };
  std::unordered_map<std::string, int> producer;
  for (const auto& input : model->inputs) {
    auto* item = new NodeItem(-1, QSizeF(kPillWidth, kPillHeight));
    item->setTexts(QString::fromStdString(input), {}, {}, valueShape(*model, input));
    producer[input] = addItem(item);
  }
  itemOfRow_.assign(size_t(document_->layerCount()), -1);
  std::vector<int> itemOfBlock(blocks_.prefixes.size(), -1);
  for (int row = 0; row < document_->layerCount(); ++row) {
    const LayerFacts& facts = document_->layer(row);
    const int block = blocks_.groupOf.empty() ? -1 : blocks_.groupOf[size_t(row)];
    int index = -1;
    if (block >= 0 && collapsed_[size_t(block)]) {
      index = itemOfBlock[size_t(block)];
      if (index < 0) {
        const std::vector<int>& members = blocks_.members[size_t(block)];
        auto* item = new NodeItem(-1, QSizeF(kBlockWidth, kNodeHeight), block);
        const QString prefix = blocks_.prefixes[size_t(block)];
        item->setTexts(prefix, QStringLiteral("%1 layers").arg(members.size()),
                       opSummary(*document_, members),
                       document_->layer(members.back()).outputShapes);
        item->setProblem(std::any_of(members.begin(), members.end(), [&](int member) {
          return !document_->layer(member).runnable();
        }));
        item->setToolTip(QStringLiteral("%1: %2 layers\n%3\nDouble-click to expand")
                             .arg(prefix)
                             .arg(members.size())
                             .arg(opSummary(*document_, members)));
        index = itemOfBlock[size_t(block)] = addItem(item);
      }
    } else {
      auto* item = new NodeItem(row, QSizeF(kNodeWidth, kNodeHeight));
      item->setTexts(facts.displayOp, {}, facts.name, facts.outputShapes);
      item->setProblem(!facts.runnable());
      item->setToolTip(
          QStringLiteral("%1\n%2\n%3 → %4%5")
              .arg(facts.name, facts.displayOp, facts.inputShapes, facts.outputShapes,
                   facts.runnable() ? QString() : QStringLiteral("\n") + facts.problem));
      index = addItem(item);
    }
    itemOfRow_[size_t(row)] = index;
    for (const auto& input : facts.node->inputs) {
      auto it = producer.find(input);
      if (!input.empty() && it != producer.end()) addEdge(it->second, index);
    }
    for (const auto& output : facts.node->outputs)
      if (!output.empty()) producer[output] = index;
  }
  for (const auto& output : model->outputs) {
    auto* item = new NodeItem(-1, QSizeF(kPillWidth, kPillHeight));
    item->setTexts(QString::fromStdString(output), {}, {}, valueShape(*model, output));
    const int index = addItem(item);
    if (auto it = producer.find(output); it != producer.end()) addEdge(it->second, index);
  }

  QElapsedTimer timer;
  timer.start();
  const GraphLayoutResult placed = layout_->layout(graph);
  lastLayoutMs_ = double(timer.nsecsElapsed()) / 1e6;

  edgesOfNode_.assign(nodes_.size(), {});
  for (size_t e = 0; e < graph.edges.size(); ++e) {
    if (placed.routes[e].size() < 2) continue;
    auto* edge = new EdgeItem(placed.routes[e]);
    scene()->addItem(edge);
    edges_.push_back(edge);
    edgeEnds_.push_back(graph.edges[e]);
    edgesOfNode_[size_t(graph.edges[e].first)].push_back(edge);
    edgesOfNode_[size_t(graph.edges[e].second)].push_back(edge);
  }
  for (size_t i = 0; i < nodes_.size(); ++i) {
    nodes_[i]->setPos(placed.centers[i]);
    nodes_[i]->setZValue(1);
    scene()->addItem(nodes_[i]);
  }
  addBlockFrames();
  scene()->setSceneRect(placed.bounds.adjusted(-40, -40, 40, 40));
  refreshAlgorithms();
  refreshColors();
  refreshEdgeCosts();
  markMatches();
  highlightRow(document_->currentRow());
  updateMinimap();
}

void GraphView::refreshEdgeCosts() {
  const auto& tune = document_->lastTune();
  const bool shown = tune && !tune->edgeCosts.empty() && tune->plan == document_->plan();
  double costliest = 0;
  if (shown)
    for (const auto& [ends, cost] : tune->edgeCosts) costliest = std::max(costliest, cost.seconds);
  for (size_t e = 0; e < edges_.size(); ++e) {
    const int from = nodes_[size_t(edgeEnds_[e].first)]->row();
    const int to = nodes_[size_t(edgeEnds_[e].second)]->row();
    const TuneSummary::EdgeCost* cost = nullptr;
    if (shown && from >= 0 && to >= 0)
      if (auto it = tune->edgeCosts.find({document_->layer(from).name, document_->layer(to).name});
          it != tune->edgeCosts.end())
        cost = &it->second;
    if (!cost || costliest <= 0) {
      edges_[e]->setCost(0, {});
      continue;
    }
    edges_[e]->setCost(cost->seconds / costliest,
                       QStringLiteral("%1 → %2 costs the tuned plan %3\n%4")
                           .arg(document_->layer(from).name, document_->layer(to).name,
                                humanSeconds(cost->seconds), cost->text));
  }
}

int GraphView::costlyEdgeCount() const {
  return int(std::count_if(edges_.begin(), edges_.end(),
                           [](const EdgeItem* edge) { return edge->costShare() > 0; }));
}

// An outline around each expanded block's layers, under them; the space between layers holds
// its label.
void GraphView::addBlockFrames() {
  std::vector<QRectF> frames(blocks_.prefixes.size());
  for (int row = 0; row < int(itemOfRow_.size()); ++row) {
    const int block = blocks_.groupOf[size_t(row)];
    if (block < 0 || collapsed_[size_t(block)]) continue;
    frames[size_t(block)] |= nodeOfRow(row)->sceneBoundingRect();
  }
  for (size_t block = 0; block < frames.size(); ++block)
    if (!frames[block].isEmpty())
      scene()->addItem(new BlockFrameItem(int(block), frames[block].adjusted(-10, -18, 10, 6),
                                          blocks_.prefixes[block]));
}

void GraphView::refreshAlgorithms() {
  for (int row = 0; row < int(itemOfRow_.size()); ++row) {
    const LayerFacts& facts = document_->layer(row);
    NodeItem* node = nodeOfRow(row);
    if (node->row() == row)  // a collapsed block's badge is its layer count
      node->setBadge(facts.runnable() ? document_->effectiveAlgorithm(row)
                                      : QStringLiteral("unsupported"));
  }
}

void GraphView::refreshColors() {
  if (!document_->hasModel()) return;
  std::vector<std::pair<QColor, QString>> legend;
  std::map<QString, int> counts;
  std::vector<QColor> fills(itemOfRow_.size(), kUnmeasured);
  auto labelOf = [&](int row) {
    return colorMode_ == ColorMode::OpType ? document_->layer(row).opType
                                           : document_->effectiveAlgorithm(row);
  };
  if (colorMode_ == ColorMode::Latency) {
    const auto [fastest, slowest] = document_->currentLatencyRange();
    for (int row = 0; row < int(itemOfRow_.size()); ++row)
      if (auto timing = document_->currentTiming(row))
        fills[size_t(row)] = heat(heatPosition(timing->median, fastest, slowest));
    legend_->setGradient(QStringLiteral("Latency (log scale)"),
                         slowest > 0 ? humanSeconds(fastest) : QStringLiteral("—"),
                         slowest > 0 ? humanSeconds(slowest) : QStringLiteral("run to measure"));
  } else if (colorMode_ == ColorMode::AccumulatedError) {
    // Log scale between the smallest and the largest non-zero error; an exact layer is coolest.
    double smallest = 0, largest = 0;
    for (int row = 0; row < int(itemOfRow_.size()); ++row)
      if (auto error = document_->accumulatedError(row); error && *error > 0) {
        smallest = smallest > 0 ? std::min(smallest, *error) : *error;
        largest = std::max(largest, *error);
      }
    for (int row = 0; row < int(itemOfRow_.size()); ++row)
      if (auto error = document_->accumulatedError(row))
        fills[size_t(row)] = heat(*error > 0 ? heatPosition(*error, smallest, largest) : 0.0);
    legend_->setGradient(QStringLiteral("Accumulated error (log)"),
                         largest > 0 ? humanError(smallest) : QStringLiteral("—"),
                         largest > 0 ? humanError(largest) : QStringLiteral("check to measure"));
  } else {
    for (int row = 0; row < int(itemOfRow_.size()); ++row) {
      const QString label = labelOf(row);
      if (!label.isEmpty()) ++counts[label];
    }
    std::map<QString, QColor> colorOf =
        labelColors(counts, colorMode_ == ColorMode::Algorithm, legend);
    for (int row = 0; row < int(itemOfRow_.size()); ++row) {
      const QString label = labelOf(row);
      if (!label.isEmpty()) fills[size_t(row)] = colorOf[label];
    }
    legend_->setEntries(
        colorMode_ == ColorMode::OpType ? QStringLiteral("Op type") : QStringLiteral("Algorithm"),
        std::move(legend));
  }
  // A collapsed block takes the colour of most of its layers (on the heat map, of most of its
  // measured time).
  std::map<NodeItem*, std::map<QRgb, double>> blockColors;
  for (int row = 0; row < int(itemOfRow_.size()); ++row) {
    NodeItem* node = nodeOfRow(row);
    if (node->row() == row) {
      node->setFill(fills[size_t(row)]);
      continue;
    }
    const auto timing = document_->currentTiming(row);
    const double weight = colorMode_ != ColorMode::Latency ? 1 : timing ? timing->median : 0;
    blockColors[node][fills[size_t(row)].rgba()] += weight;
  }
  for (const auto& [node, colors] : blockColors)
    node->setFill(QColor::fromRgba(
        std::max_element(colors.begin(), colors.end(), [](const auto& a, const auto& b) {
          return a.second < b.second;
        })->first));
  for (NodeItem* item : nodes_)
    if (item->row() < 0 && item->block() < 0) item->setFill(kPseudoFill);
  placeOverlays();
  std::vector<std::pair<QRectF, QColor>> boxes;
  for (NodeItem* item : nodes_) boxes.push_back({item->sceneBoundingRect(), item->fill()});
  minimap_->setGraph(scene()->sceneRect(), std::move(boxes));
}

NodeItem* GraphView::nodeOfRow(int row) const {
  if (row < 0 || row >= int(itemOfRow_.size())) return nullptr;
  return nodes_[size_t(itemOfRow_[size_t(row)])];
}

bool GraphView::isBlockCollapsed(int block) const {
  return block >= 0 && block < int(collapsed_.size()) && collapsed_[size_t(block)];
}

void GraphView::setBlockCollapsed(int block, bool collapsed) {
  if (block < 0 || block >= int(collapsed_.size()) || collapsed_[size_t(block)] == collapsed)
    return;
  // The block's place in the view stays put: its box, or its first layer, where the other was.
  const int firstRow = blocks_.members[size_t(block)].front();
  const QPoint before = mapFromScene(nodeOfRow(firstRow)->pos());
  collapsed_[size_t(block)] = collapsed;
  relayout();
  const QPointF offset = QPointF(viewport()->rect().center() - before) / zoomLevel();
  centerOn(nodeOfRow(firstRow)->pos() + offset);
}

void GraphView::setAllBlocksCollapsed(bool collapsed) {
  if (collapsed_.empty()) return;
  collapsed_.assign(collapsed_.size(), collapsed);
  relayout();
  zoomToFit();
}

void GraphView::showCurrentRow(int row) {
  // A layer chosen inside a collapsed block (in the table, by Find) opens the block.
  if (row >= 0 && row < int(blocks_.groupOf.size()))
    setBlockCollapsed(blocks_.groupOf[size_t(row)], false);
  highlightRow(row);
  if (!highlighted_) return;
  const QRectF visible = mapToScene(viewport()->rect()).boundingRect();
  if (!visible.contains(highlighted_->sceneBoundingRect())) centerOn(highlighted_);
}

void GraphView::highlightRow(int row) {
  auto highlightEdges = [&](NodeItem* node, bool on) {
    auto it = std::find(nodes_.begin(), nodes_.end(), node);
    for (EdgeItem* edge : edgesOfNode_[size_t(it - nodes_.begin())]) edge->setHighlighted(on);
  };
  if (highlighted_) {
    highlighted_->setHighlighted(false);
    highlightEdges(highlighted_, false);
  }
  highlighted_ = nodeOfRow(row);
  if (!highlighted_) return;
  highlighted_->setHighlighted(true);
  highlightEdges(highlighted_, true);
}

QColor GraphView::fillOfRow(int row) const {
  NodeItem* node = nodeOfRow(row);
  return node ? node->fill() : QColor();
}

GraphView::FindResult GraphView::find(const QString& text, bool backwards) {
  if (text.isEmpty()) {
    clearFind();
    return {};
  }
  const bool again = text == findText_;
  findText_ = text;
  matchedRows_.clear();
  for (int row = 0; row < document_->layerCount(); ++row) {
    const LayerFacts& facts = document_->layer(row);
    if (facts.name.contains(text, Qt::CaseInsensitive) ||
        facts.displayOp.contains(text, Qt::CaseInsensitive))
      matchedRows_.push_back(row);
  }
  markMatches();
  const std::vector<int>& matches = matchedRows_;
  if (matches.empty()) return {};
  // A new text starts at the current layer; the same text again moves on from it.
  const int current = document_->currentRow();
  auto it = !again      ? std::lower_bound(matches.begin(), matches.end(), current)
            : backwards ? std::lower_bound(matches.begin(), matches.end(), current)
                        : std::upper_bound(matches.begin(), matches.end(), current);
  if (again && backwards)
    it = it == matches.begin() ? matches.end() - 1 : it - 1;
  else if (it == matches.end())
    it = matches.begin();
  const int target = *it;
  if (target == current)
    showCurrentRow(target);  // no change to announce, but its block may be collapsed
  else
    document_->setCurrentRow(target);
  if (zoomLevel() < kLegibleScale) setZoom(kComfortableScale);
  if (NodeItem* node = nodeOfRow(target)) centerOn(node);
  return {int(it - matches.begin()) + 1, int(matches.size())};
}

void GraphView::markMatches() {
  for (NodeItem* node : nodes_) node->setMatched(false);
  for (int row : matchedRows_)
    if (NodeItem* node = nodeOfRow(row)) node->setMatched(true);
}

void GraphView::clearFind() {
  findText_.clear();
  matchedRows_.clear();
  markMatches();
}

bool GraphView::exportPng(const QString& path) const { return saveScenePng(scene(), path); }

bool GraphView::exportSvg(const QString& path) const {
  return saveSceneSvg(
      scene(), path,
      document_->model() ? QString::fromStdString(document_->model()->name) : QString());
}

void GraphView::setZoom(double scale) {
  const double current = zoomLevel();
  scale = std::clamp(scale, 0.02, 4.0);
  QGraphicsView::scale(scale / current, scale / current);
  updateMinimap();
}

void GraphView::scaleBy(double factor) { setZoom(zoomLevel() * factor); }
void GraphView::zoomIn() { scaleBy(1.25); }
void GraphView::zoomOut() { scaleBy(1 / 1.25); }
void GraphView::zoomToActualSize() {
  const QPointF center = mapToScene(viewport()->rect().center());
  resetTransform();
  centerOn(center);
  updateMinimap();
}

void GraphView::zoomToFitAll() {
  if (scene()->items().isEmpty()) return;
  fitInView(scene()->sceneRect(), Qt::KeepAspectRatio);
  if (zoomLevel() > kMaxFitScale) {
    const QPointF center = scene()->sceneRect().center();
    resetTransform();
    setZoom(kMaxFitScale);
    centerOn(center);
  }
  updateMinimap();
}

void GraphView::zoomToFit() {
  if (scene()->items().isEmpty()) return;
  const QRectF graph = scene()->sceneRect();
  const QSizeF room = viewport()->size();
  const double across = room.width() / graph.width(), down = room.height() / graph.height();
  if (std::min(across, down) >= kLegibleScale) return zoomToFitAll();
  // Too big to show whole and legible: fill the view across the graph's short axis (relative to
  // the view's shape), within legible bounds, and start where the graph does, at its inputs.
  const bool tall = down <= across;
  resetTransform();
  const double scale = std::clamp(tall ? across : down, kLegibleScale, kComfortableScale);
  setZoom(scale);
  const QPointF start = nodes_.empty() ? graph.topLeft() : nodes_.front()->pos();
  const double x = graph.width() * scale <= room.width() ? graph.center().x() : start.x();
  const double y = graph.height() * scale <= room.height()
                       ? graph.center().y()
                       : graph.top() + room.height() / (2 * scale);
  centerOn(x, y);
  updateMinimap();
}

void GraphView::wheelEvent(QWheelEvent* event) {
  if (event->modifiers() & Qt::ShiftModifier) {  // Shift+wheel scrolls sideways, wheel zooms
    QGraphicsView::wheelEvent(event);
    return;
  }
  const double steps = event->angleDelta().y() / 120.0;
  if (steps != 0) scaleBy(std::pow(1.2, steps));
  event->accept();
}

void GraphView::mousePressEvent(QMouseEvent* event) {
  if (event->button() == Qt::LeftButton) {
    for (QGraphicsItem* item : items(event->position().toPoint())) {
      auto* node = dynamic_cast<NodeItem*>(item);
      if (node && node->row() >= 0) {
        document_->setCurrentRow(node->row());
        event->accept();
        return;
      }
    }
  }
  QGraphicsView::mousePressEvent(event);
}

int GraphView::blockAt(QPoint viewPoint, bool* collapsed) const {
  int block = -1;
  double smallest = 0;
  for (QGraphicsItem* item : items(viewPoint)) {
    if (auto* node = dynamic_cast<NodeItem*>(item)) {
      *collapsed = node->block() >= 0;
      return node->block();  // a box covers the frames behind it
    }
    // Frames nest when blocks sit side by side; the smallest is the one pointed at.
    auto* frame = dynamic_cast<BlockFrameItem*>(item);
    const double area = frame ? frame->boundingRect().width() * frame->boundingRect().height() : 0;
    if (frame && (block < 0 || area < smallest)) {
      block = frame->block();
      smallest = area;
    }
  }
  *collapsed = false;
  return block;
}

void GraphView::mouseDoubleClickEvent(QMouseEvent* event) {
  bool collapsed = false;
  const int block = blockAt(event->position().toPoint(), &collapsed);
  if (block < 0) return QGraphicsView::mouseDoubleClickEvent(event);
  setBlockCollapsed(block, !collapsed);
  event->accept();
}

void GraphView::contextMenuEvent(QContextMenuEvent* event) {
  if (blocks_.prefixes.empty()) return QGraphicsView::contextMenuEvent(event);
  bool collapsed = false;
  int block = blockAt(event->pos(), &collapsed);
  for (QGraphicsItem* item : items(event->pos()))  // a layer's own block
    if (auto* node = dynamic_cast<NodeItem*>(item); node && node->row() >= 0)
      block = blocks_.groupOf[size_t(node->row())];
  QMenu menu(this);
  if (block >= 0)
    menu.addAction(
        (collapsed ? QStringLiteral("Expand block %1") : QStringLiteral("Collapse block %1"))
            .arg(blocks_.prefixes[size_t(block)]),
        this, [this, block, collapsed] { setBlockCollapsed(block, !collapsed); });
  menu.addAction(QStringLiteral("Collapse all blocks"), this,
                 [this] { setAllBlocksCollapsed(true); });
  menu.addAction(QStringLiteral("Expand all blocks"), this,
                 [this] { setAllBlocksCollapsed(false); });
  menu.exec(event->globalPos());
}

void GraphView::keyPressEvent(QKeyEvent* event) {
  const bool shift = event->modifiers() & Qt::ShiftModifier;
  switch (event->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal:
      zoomIn();
      return;
    case Qt::Key_Minus:
      zoomOut();
      return;
    case Qt::Key_ParenRight:  // Shift+0 on US layouts
      zoomToFitAll();
      return;
    case Qt::Key_0:
    case Qt::Key_F:
      shift ? zoomToFitAll() : zoomToFit();
      return;
    case Qt::Key_1:
      zoomToActualSize();
      return;
    default:
      QGraphicsView::keyPressEvent(event);
  }
}

void GraphView::resizeEvent(QResizeEvent* event) {
  QGraphicsView::resizeEvent(event);
  placeOverlays();
  updateMinimap();
}

void GraphView::setMinimapEnabled(bool enabled) {
  minimapEnabled_ = enabled;
  updateMinimap();
}

void GraphView::updateMinimap() {
  const QRectF visible = mapToScene(viewport()->rect()).boundingRect();
  minimap_->setVisibleArea(visible);
  // Hidden while the view shows the whole graph: there is nothing to navigate to.
  const QRectF graph = scene()->sceneRect();
  const bool fits = visible.adjusted(-2, -2, 2, 2).contains(graph);
  minimap_->setVisible(minimapEnabled_ && !nodes_.empty() && !fits);
}

// The legend at the top right of the viewport, the minimap at its bottom left: apart, however
// tall either gets, and the layout centres graphs, which leaves the corners free.
void GraphView::placeOverlays() {
  const QRect area = viewport()->geometry();
  legend_->move(area.width() - legend_->width() - 10, 10);
  minimap_->fitInto(QSize(std::min(200, area.width() / 4), std::min(320, area.height() / 2)));
  minimap_->move(area.left() + 10, area.bottom() - minimap_->height() - 10);
  minimap_->raise();
}

}  // namespace algoscope::gui
