// Runs examples/train_gpt on its tiny preset and checks what it promises: the loss falls and
// the CSV and SVG are written; a run killed with SIGKILL and resumed ends with the weights of
// a run that never stopped, bit for bit; Ctrl-C saves a checkpoint of the step it stopped at;
// and each bad input is refused with a message naming it. Part of minigrad_llm_tests: it
// needs GPT-2's vocabulary.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "core/safetensors.h"
#include "tests/examples/run_example.h"
#include "tests/paths.h"

namespace {

namespace fs = std::filesystem;
using minigrad::testing::ProgramResult;

bool contains(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

// The tiny preset, reproducibly, with the test's vocabulary.
std::vector<std::string> tiny_args(const std::string& out) {
  return {"--preset", "tiny", "--no-timing", "--vocab", MINIGRAD_GPT2_VOCAB_DIR, "--out", out};
}

std::string joined(const std::vector<std::string>& args) {
  std::string s;
  for (const auto& a : args) s += "'" + a + "' ";
  return s;
}

ProgramResult run(const std::vector<std::string>& args, const std::string& redirect = " 2>/dev/null") {
  return minigrad::testing::run_example("train_gpt", joined(args), "", redirect);
}
std::string errors_of(const std::vector<std::string>& args) { return run(args, " 2>&1 >/dev/null").out; }

// A child process running train_gpt, its stdout on a pipe (stderr discarded), so a test can
// read until a line appears and then signal it.
struct Child {
  pid_t pid = -1;
  int out = -1;
  std::string seen;

  explicit Child(const std::vector<std::string>& args) {
    int fds[2];
    if (::pipe(fds) != 0) return;
    const std::string exe = minigrad::testing::example_path("train_gpt");
    std::vector<char*> argv{const_cast<char*>(exe.c_str())};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    pid = ::fork();
    if (pid == 0) {
      ::dup2(fds[1], STDOUT_FILENO);
      int devnull = ::open("/dev/null", O_WRONLY);
      ::dup2(devnull, STDERR_FILENO);
      ::close(fds[0]);
      ::close(fds[1]);
      ::execv(exe.c_str(), argv.data());
      ::_exit(127);
    }
    ::close(fds[1]);
    out = fds[0];
  }
  ~Child() {
    if (out >= 0) ::close(out);
  }
  // Reads until `needle` has appeared (true) or the output ends (false).
  bool read_until(const std::string& needle) {
    char buf[4096];
    while (!contains(seen, needle)) {
      ssize_t n = ::read(out, buf, sizeof buf);
      if (n <= 0) return false;
      seen.append(buf, static_cast<std::size_t>(n));
    }
    return true;
  }
  // Reads the rest, waits, and returns the exit status (or 128 + the signal that ended it).
  int wait() {
    read_until("\x01never\x01");
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
};

int64_t saved_step(const std::string& checkpoint) {
  for (const auto& [name, t] : minigrad::load_safetensors(checkpoint))
    if (name == "train.step") return t.data_ptr<int64_t>()[0];
  return -1;
}

class TrainGptExample : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(minigrad::testing::example_path("train_gpt"))) GTEST_SKIP() << "train_gpt is not built";
    std::string tmpl = (fs::temp_directory_path() / "minigrad_train_gpt_XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  std::string path(const std::string& name) const { return dir_ + "/" + name; }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(path(name), std::ios::binary) << text;
    return path(name);
  }
  std::string dir_;
};

std::vector<double> val_losses(const std::string& out) {
  std::vector<double> v;
  std::regex re("val loss ([0-9.]+)");
  for (std::sregex_iterator it(out.begin(), out.end(), re), end; it != end; ++it) v.push_back(std::stod((*it)[1]));
  return v;
}

TEST_F(TrainGptExample, TinyPresetRunsAndItsLossFalls) {
  ProgramResult r = run(tiny_args(path("run")));
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_TRUE(contains(r.out, "text: /usr/share/common-licenses/GPL-3, 35149 characters")) << r.out;
  std::vector<double> losses = val_losses(r.out);
  ASSERT_GE(losses.size(), 3u) << r.out;
  EXPECT_LT(losses.back(), losses.front() - 1.0) << r.out;  // from ~ln(50257) = 10.8 down by well over a nat
  EXPECT_TRUE(contains(r.out, "sample: \"Every effort moves you")) << r.out;
  std::ifstream csv(path("run/losses.csv"));
  std::string header;
  std::getline(csv, header);
  EXPECT_EQ(header, "step,tokens_seen,train_loss,val_loss");
  std::stringstream svg;
  svg << std::ifstream(path("run/losses.svg")).rdbuf();
  EXPECT_TRUE(contains(svg.str(), "<polyline")) << svg.str().substr(0, 200);
  EXPECT_EQ(saved_step(path("run/checkpoint.safetensors")), 40);
}

TEST_F(TrainGptExample, KilledWithSigkillThenResumedEndsWithTheUninterruptedWeightsBitForBit) {
  ASSERT_EQ(run(tiny_args(path("straight"))).status, 0);

  Child killed(tiny_args(path("resumed")));
  ASSERT_TRUE(killed.read_until("checkpoint:")) << killed.seen;  // the first one is written (step 1)
  ::kill(killed.pid, SIGKILL);
  EXPECT_EQ(killed.wait(), 128 + SIGKILL) << killed.seen;
  const int64_t stopped = saved_step(path("resumed/checkpoint.safetensors"));
  ASSERT_GE(stopped, 1);
  ASSERT_LT(stopped, 40) << "the run finished before the kill; nothing was resumed";

  std::vector<std::string> args = tiny_args(path("resumed"));
  args.push_back("--resume");
  ProgramResult resumed = run(args);
  ASSERT_EQ(resumed.status, 0) << resumed.out;
  EXPECT_TRUE(contains(resumed.out, "resumed from " + path("resumed/checkpoint.safetensors"))) << resumed.out;

  auto a = minigrad::load_safetensors_file(path("straight/checkpoint.safetensors"));
  auto b = minigrad::load_safetensors_file(path("resumed/checkpoint.safetensors"));
  ASSERT_EQ(a.tensors.size(), b.tensors.size());
  for (std::size_t i = 0; i < a.tensors.size(); ++i) {
    const auto& [name, ta] = a.tensors[i];
    const auto& tb = b.tensors[i].second;
    ASSERT_EQ(name, b.tensors[i].first);
    ASSERT_EQ(ta.sizes(), tb.sizes()) << name;
    if (ta.numel() == 0) continue;  // an empty tensor has no data pointer to compare (memcmp wants non-null)
    EXPECT_EQ(std::memcmp(ta.raw_data(), tb.raw_data(), static_cast<std::size_t>(ta.numel()) * element_size(ta.dtype())), 0)
        << name << " differs";
  }
  EXPECT_EQ(a.metadata, b.metadata);  // including every tensor's checksum
}

TEST_F(TrainGptExample, CtrlCSavesACheckpointOfTheStepItStoppedAt) {
  Child child(tiny_args(path("run")));
  ASSERT_TRUE(child.read_until("checkpoint:")) << child.seen;
  ::kill(child.pid, SIGINT);
  EXPECT_EQ(child.wait(), 130) << child.seen;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(child.seen, m, std::regex("interrupted at step ([0-9]+)\n  checkpoint: "))) << child.seen;
  EXPECT_EQ(saved_step(path("run/checkpoint.safetensors")), std::stoll(m[1])) << child.seen;
  EXPECT_TRUE(contains(child.seen, "resume with the same flags and --resume")) << child.seen;
}

TEST_F(TrainGptExample, BadInputIsRefusedNamingIt) {
  auto args = [&](std::vector<std::string> extra) {
    std::vector<std::string> a = tiny_args(path("run"));
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  };
  const std::string missing = path("no_such.txt");
  EXPECT_TRUE(contains(errors_of(args({"--text", missing})), "cannot read the text file \"" + missing + "\""));
  const std::string empty = write("empty.txt", "");
  EXPECT_TRUE(contains(errors_of(args({"--text", empty})), "the text file \"" + empty + "\" is empty"));
  std::string short_text;
  for (int i = 0; i < 20; ++i) short_text += "Hello, world. ";
  const std::string brief = write("short.txt", short_text);
  EXPECT_TRUE(contains(errors_of(args({"--text", brief})), "too few for one batch of 4 windows of 32"))
      << errors_of(args({"--text", brief}));
  EXPECT_TRUE(contains(errors_of(args({"--max-length", "64"})),
                       "--max-length 64 is longer than the model's context length 32"));
  EXPECT_TRUE(contains(errors_of(args({"--vocab", path("nowhere")})), "encoder.json is not in " + path("nowhere")));
  EXPECT_TRUE(contains(errors_of(args({"--resume"})), "there is no checkpoint " + path("run/checkpoint.safetensors")));
  EXPECT_TRUE(contains(errors_of(args({"--preset", "huge"})), "--preset must be tiny, small or 124M"));
  EXPECT_TRUE(contains(errors_of(args({"--lr", "fast"})), "--lr expects a number"));

  ASSERT_EQ(run(args({"--steps", "6"})).status, 0);
  EXPECT_TRUE(contains(errors_of(args({"--steps", "7", "--resume"})), "was made with steps = \"6\", this run has \"7\""));
}

}  // namespace
