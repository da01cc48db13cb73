// Loads a model, runs it under a plan that picks an algorithm for one op type, and prints the
// output shape: the whole headless API through the installed headers and library.
#include <algoscope/algoscope.h>

#include <iostream>
#include <memory>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: consumer MODEL.onnx\n";
    return 2;
  }
  try {
    auto model = std::make_shared<const algoscope::Model>(algoscope::load_model(argv[1]));
    algoscope::Plan plan = algoscope::Plan::for_model(*model);
    plan.defaults["Conv"] = "reference";
    algoscope::Session session(model, plan, {.threads = 1});
    auto outputs = session.run(algoscope::random_inputs(*model));
    std::cout << "algoscope " << algoscope::version() << ": " << model->name << " -> "
              << algoscope::shape_to_string(outputs.at(0).shape()) << "\n";
  } catch (const algoscope::Error& e) {
    std::cerr << e.what() << "\n";
    return 2;
  }
  return 0;
}
