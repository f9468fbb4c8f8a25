// The batch handler's worker pool: the job runs on the caller and the helpers at once, on
// threads that stay from one job to the next, never more than asked or allowed.
#include "core/worker_pool.hpp"

#include <gtest/gtest.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <set>
#include <string>
#include <thread>

namespace ssc::core {
namespace {

// Records the threads that ran the job and holds each run until `expected` runs are in,
// or until a limit, so that a pool that runs them one after the other fails instead of
// hanging.
class Meeting {
 public:
  explicit Meeting(std::size_t expected) : expected_(expected) {}

  void attend() {
    std::unique_lock lock(mutex_);
    threads_.insert(std::this_thread::get_id());
    ++arrived_;
    max_at_once_ = std::max(max_at_once_, ++present_);
    arrived_cv_.notify_all();
    if (!arrived_cv_.wait_for(lock, std::chrono::seconds(5),
                              [&] { return broken_ || arrived_ >= expected_; })) {
      broken_ = true;
      arrived_cv_.notify_all();
    }
    --present_;
  }

  std::set<std::thread::id> threads_;
  std::size_t arrived_ = 0;
  std::size_t max_at_once_ = 0;
  bool broken_ = false;

 private:
  std::mutex mutex_;
  std::condition_variable arrived_cv_;
  std::size_t expected_;
  std::size_t present_ = 0;
};

long thread_id() { return syscall(SYS_gettid); }

// How many times the thread has gone to sleep (Linux): a thread woken for nothing adds one
// when it sleeps again.
long voluntary_switches(long tid) {
  std::ifstream status("/proc/self/task/" + std::to_string(tid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.starts_with("voluntary_ctxt_switches:")) return std::stol(line.substr(24));
  }
  ADD_FAILURE() << "no voluntary_ctxt_switches for thread " << tid;
  return 0;
}

TEST(WorkerPool, RunsTheJobOnTheCallerAndEveryHelperAtOnce) {
  WorkerPool pool(4);
  Meeting meeting(5);
  pool.run(4, [&] { meeting.attend(); });
  EXPECT_FALSE(meeting.broken_);
  EXPECT_EQ(meeting.arrived_, 5u);
  EXPECT_EQ(meeting.max_at_once_, 5u);
  EXPECT_EQ(meeting.threads_.size(), 5u);
  EXPECT_EQ(meeting.threads_.count(std::this_thread::get_id()), 1u);
}

TEST(WorkerPool, KeepsItsThreadsFromOneJobToTheNext) {
  WorkerPool pool(3);
  Meeting first(4);
  pool.run(3, [&] { first.attend(); });
  Meeting second(4);
  pool.run(3, [&] { second.attend(); });
  EXPECT_FALSE(first.broken_ || second.broken_);
  EXPECT_EQ(first.threads_, second.threads_);
  EXPECT_EQ(pool.threads_started(), 3u);
}

TEST(WorkerPool, StartsNoMoreThreadsThanAskedOrAllowed) {
  WorkerPool pool(2);
  std::atomic<int> runs{0};
  pool.run(0, [&] { ++runs; });
  EXPECT_EQ(runs.load(), 1);  // the caller alone
  EXPECT_EQ(pool.threads_started(), 0u);
  Meeting meeting(3);
  pool.run(9, [&] { meeting.attend(); });  // two allowed
  EXPECT_FALSE(meeting.broken_);
  EXPECT_EQ(meeting.arrived_, 3u);
  EXPECT_EQ(pool.threads_started(), 2u);
}

TEST(WorkerPool, WakesOnlyTheHelpersAJobAsksFor) {
  WorkerPool pool(4);
  Meeting meeting(5);
  std::mutex mutex;
  std::set<long> helpers;
  const long caller = thread_id();
  pool.run(4, [&] {
    {
      const std::lock_guard lock(mutex);
      if (thread_id() != caller) helpers.insert(thread_id());
    }
    meeting.attend();
  });
  ASSERT_EQ(helpers.size(), 4u);
  long before = 0;
  for (const long tid : helpers) before += voluntary_switches(tid);
  // Jobs the caller runs alone, each long enough for a woken helper to go back to sleep.
  for (int job = 0; job < 50; ++job) {
    pool.run(0, [] { std::this_thread::sleep_for(std::chrono::milliseconds(1)); });
  }
  long after = 0;
  for (const long tid : helpers) after += voluntary_switches(tid);
  // Woken for every job, the four would add about 200; a helper still on its way back to
  // sleep after the first job adds one.
  EXPECT_LT(after - before, 20);
}

TEST(WorkerPool, ReturnsOnlyWhenEveryRunHasReturned) {
  WorkerPool pool(3);
  Meeting meeting(4);
  std::atomic<int> finished{0};
  const auto caller = std::this_thread::get_id();
  pool.run(3, [&] {
    // Every helper is in the job before any run ends, and the helpers end after the caller:
    // a pool that returned with the caller's run would leave them unfinished.
    meeting.attend();
    if (std::this_thread::get_id() != caller) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ++finished;
  });
  EXPECT_FALSE(meeting.broken_);
  EXPECT_EQ(finished.load(), 4);
}

TEST(WorkerPool, SharesWorkOutThroughTheJobAndEndsCleanly) {
  std::atomic<int> done{0};
  {
    WorkerPool pool(4);
    for (int job = 0; job < 50; ++job) {
      std::atomic<int> next{0};
      pool.run(4, [&] {
        for (int i = next++; i < 100; i = next++) ++done;
      });
    }
  }  // joined here
  EXPECT_EQ(done.load(), 5000);
}

}  // namespace
}  // namespace ssc::core
