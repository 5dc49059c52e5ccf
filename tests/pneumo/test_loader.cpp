// The dataset over a prepared folder and the parallel loader: splits as the
// reference makes them, batches as tensors, the same batches for any number
// of workers, errors that name the file, clean shutdown.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <memory>
#include <set>
#include <string>

#include "data_test_util.h"
#include "pneumo/augment/transform_json.h"
#include "pneumo/data/png.h"
#include "pneumo/loader/loader.h"
#include "pneumo/loader/sampler.h"

namespace pn::loader {
namespace {

using data::test::TempDir;
namespace fs = std::filesystem;

constexpr int kSize = 40;

// A prepared folder: 12 training images in 3 folds (every third positive),
// their masks, and 3 test images; pixel values tell the images apart.
struct Prepared {
  TempDir dir;
  std::vector<FoldRow> rows;

  Prepared() {
    fs::create_directories(dir.path() / "train");
    fs::create_directories(dir.path() / "mask");
    fs::create_directories(dir.path() / "test");
    for (int i = 0; i < 12; ++i) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "img%d.png", 100 + i);
      const std::string name = buf;
      data::GrayImage img(kSize, kSize);
      for (int y = 0; y < kSize; ++y) {
        for (int x = 0; x < kSize; ++x) img.at(x, y) = static_cast<std::uint8_t>((i * 17 + x * 3 + y * 5) % 256);
      }
      data::write_png(dir.path() / "train" / name, img);
      data::GrayImage mask(kSize, kSize, 0);
      const bool positive = i % 3 == 0;
      for (int y = 10; y < 20 + i; ++y) {
        for (int x = 5; x < 15; ++x) mask.at(x, y) = 255;
      }
      // Negative images have masks on disk too: the train split must not read them.
      data::write_png(dir.path() / "mask" / name, mask);
      rows.push_back({name, i % 3, positive ? 1 : 0});
    }
    for (int i = 0; i < 3; ++i) {
      char name[32];  // t2, t1, t0: written unsorted
      std::snprintf(name, sizeof name, "t%d.png", 2 - i);
      data::write_png(dir.path() / "test" / name, data::GrayImage(kSize, kSize, 7));
    }
    std::ofstream(dir.path() / "folds.csv") << folds_text();
  }

  std::string folds_text() const {
    std::string s = "fname,fold,exist_labels\n";
    for (const FoldRow& r : rows) s += r.fname + "," + std::to_string(r.fold) + "," + std::to_string(r.exist_labels) + "\n";
    return s;
  }
};

// The reference's training pipeline with its Resize(512) turned into `size`.
augment::TransformPtr reference_pipeline(int size) {
  const fs::path file = fs::path(PN_REFERENCE_DIR) / "transforms" / "train_transforms_complex_512.json";
  std::string text = data::test::read_bytes(file);
  const std::string from = "\"height\": 512, \"width\": 512";
  const std::size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  text.replace(at, from.size(), "\"height\": " + std::to_string(size) + ", \"width\": " + std::to_string(size));
  return augment::parse_transforms(text, file.string());
}

std::vector<Batch> drain(Loader& loader) {
  std::vector<Batch> out;
  while (auto b = loader.next()) out.push_back(std::move(*b));
  return out;
}

bool same_tensor(const Tensor& a, const Tensor& b) {
  if (a.defined() != b.defined()) return false;
  if (!a.defined()) return true;
  return a.shape() == b.shape() && a.to_vector<float>() == b.to_vector<float>();
}

TEST_CASE("dataset: the reference's train, val and test splits") {
  Prepared p;
  const std::vector<FoldRow> rows = read_folds(p.dir / "folds.csv");
  REQUIRE(rows.size() == 12);
  const PneumoDataset train = PneumoDataset::train(p.dir.path(), rows, 1, nullptr);
  const PneumoDataset val = PneumoDataset::val(p.dir.path(), rows, 1, nullptr);
  const PneumoDataset test = PneumoDataset::test(p.dir.path(), nullptr);
  CHECK(train.size() == 8);
  CHECK(val.size() == 4);
  CHECK(train.fname(0) == "img100.png");  // file order, fold 1 left out
  CHECK(train.fname(1) == "img102.png");
  CHECK(val.fname(0) == "img101.png");
  CHECK(train.id(0) == "img100");
  CHECK(test.size() == 3);
  CHECK(test.fname(0) == "t0.png");  // sorted
  CHECK(test.exist_labels().empty());

  // A positive training image reads its mask; a negative one gets an empty
  // mask of its size without reading the file; validation reads every mask.
  const augment::Sample pos = train.read(0), neg = train.read(1), v = val.read(0);
  CHECK(pos.image.width == kSize);
  CHECK(pos.mask.at(6, 12) == 255);
  CHECK(neg.mask.width == kSize);
  CHECK(std::all_of(neg.mask.data.begin(), neg.mask.data.end(), [](std::uint8_t m) { return m == 0; }));
  CHECK(v.mask.at(6, 12) == 255);
  CHECK(test.read(0).mask.empty());

  using doctest::Contains;
  CHECK_THROWS_WITH(PneumoDataset::train(p.dir.path(), rows, 7, nullptr), Contains("validation fold 7 does not occur"));
  CHECK_THROWS_WITH(PneumoDataset::test(p.dir.path() / "nowhere", nullptr), Contains("nowhere/test: no such folder"));
}

TEST_CASE("dataset: bad folds files are refused naming the file and line") {
  TempDir dir;
  using doctest::Contains;
  auto write = [&](const std::string& text) {
    const fs::path f = dir / "f.csv";
    std::ofstream(f) << text;
    return f;
  };
  CHECK_THROWS_WITH(read_folds(write("fname,fold\na.png,0\n")), Contains("exist_labels"));
  CHECK_THROWS_WITH(read_folds(write("fname,fold,exist_labels\na.png,0,2\n")),
                    Contains("f.csv line 2: exist_labels must be 0 or 1, got 2"));
  CHECK_THROWS_WITH(read_folds(write("fname,fold,exist_labels\na.png,x,0\n")),
                    Contains("f.csv line 2: fold must be an integer, got 'x'"));
  CHECK_THROWS_WITH(read_folds(write("fname,fold,exist_labels\na.png,0,0\na.png,1,0\n")),
                    Contains("f.csv line 3: fname a.png appears twice"));
  CHECK_THROWS_WITH(read_folds(dir / "missing.csv"), Contains("missing.csv"));
}

TEST_CASE("loader: batches are tensors of the reference's layout") {
  Prepared p;
  const std::vector<FoldRow> rows = read_folds(p.dir / "folds.csv");
  // The reference's validation pipeline (Resize + Normalize) at our size.
  const std::string valid_json = R"({"__version__": "0.3.1", "transform": {"__class_fullname__": "albumentations.core.composition.Compose", "p": 1.0, "transforms": [{"__class_fullname__": "albumentations.augmentations.transforms.Resize", "always_apply": true, "p": 1, "height": 40, "width": 40, "interpolation": 1}, {"__class_fullname__": "albumentations.augmentations.transforms.Normalize", "always_apply": false, "p": 1.0, "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225], "max_pixel_value": 255.0}], "bbox_params": {}, "keypoint_params": {}, "additional_targets": {}}})";
  auto val = std::make_shared<const PneumoDataset>(
      PneumoDataset::val(p.dir.path(), rows, 0, augment::parse_transforms(valid_json, "valid.json")));
  std::vector<std::size_t> order(val->size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  Loader loader(val, order, 1, 0, {.batch_size = 3, .workers = 2});
  CHECK(loader.num_batches() == 2);
  const std::vector<Batch> batches = drain(loader);
  REQUIRE(batches.size() == 2);
  CHECK(batches[0].images.shape() == Shape{3, 3, kSize, kSize});
  CHECK(batches[0].masks.shape() == Shape{3, 1, kSize, kSize});
  CHECK(batches[1].images.shape() == Shape{1, 3, kSize, kSize});  // the last, partial batch
  CHECK(batches[0].ids == std::vector<std::string>{"img100", "img103", "img106"});
  // Normalize of pixel (x, y) = (17 i + 3 x + 5 y) % 256 in every plane, and mask / 255.
  const std::vector<float> img = batches[0].images.to_vector<float>();
  const std::vector<float> msk = batches[0].masks.to_vector<float>();
  const float mean[3] = {0.485f, 0.456f, 0.406f}, sd[3] = {0.229f, 0.224f, 0.225f};
  for (int c = 0; c < 3; ++c) {
    const float v = static_cast<float>((0 * 17 + 3 * 2 + 5 * 1) % 256);
    const float want = (v - mean[c] * 255.f) * (1.f / (sd[c] * 255.f));
    CHECK(img[static_cast<std::size_t>(c * kSize * kSize + 1 * kSize + 2)] == want);
  }
  CHECK(msk[12 * kSize + 6] == 1.f);
  CHECK(msk[0] == 0.f);

  // Without Normalize ("_old" files): pixel / 255, and drop_last.
  auto raw = std::make_shared<const PneumoDataset>(PneumoDataset::val(p.dir.path(), rows, 0, nullptr));
  Loader plain(raw, order, 1, 0, {.batch_size = 3, .workers = 1, .drop_last = true});
  const std::vector<Batch> pb = drain(plain);
  REQUIRE(pb.size() == 1);
  CHECK(pb[0].images.to_vector<float>()[static_cast<std::size_t>(2 * kSize * kSize + kSize + 2)] ==
        static_cast<float>(11 / 255.0));

  // The test split has no masks.
  auto test = std::make_shared<const PneumoDataset>(PneumoDataset::test(p.dir.path(), nullptr));
  Loader tl(test, {0, 1, 2}, 1, 0, {.batch_size = 2, .workers = 1});
  const std::vector<Batch> tb = drain(tl);
  REQUIRE(tb.size() == 2);
  CHECK(!tb[0].masks.defined());
  CHECK(tb[0].ids == std::vector<std::string>{"t0", "t1"});
}

TEST_CASE("loader: the same batches with 0, 1 and 3 workers") {
  Prepared p;
  const std::vector<FoldRow> rows = read_folds(p.dir / "folds.csv");
  auto train = std::make_shared<const PneumoDataset>(PneumoDataset::train(p.dir.path(), rows, 2, reference_pipeline(48)));
  PneumoSampler sampler(train->exist_labels(), SampleRateSchedule::constant(0.5), 77);
  const std::vector<std::size_t> order = sampler.epoch_indices(3);
  REQUIRE(order.size() == 8);  // 4 positives, int(4 * 0.5 / 0.5) = 4 negatives
  // Repeat the epoch's order to have more batches than workers.
  std::vector<std::size_t> longer = order;
  for (int r = 0; r < 3; ++r) longer.insert(longer.end(), order.begin(), order.end());

  std::vector<std::vector<Batch>> runs;
  for (int workers : {0, 1, 3}) {
    Loader loader(train, longer, 5, 3, {.batch_size = 4, .workers = workers, .prefetch = 2});
    runs.push_back(drain(loader));
  }
  REQUIRE(runs[0].size() == 8);
  for (std::size_t r = 1; r < runs.size(); ++r) {
    REQUIRE(runs[r].size() == runs[0].size());
    for (std::size_t b = 0; b < runs[0].size(); ++b) {
      INFO("run ", r, " batch ", b);
      CHECK(runs[r][b].index == b);
      CHECK(runs[r][b].items == runs[0][b].items);
      CHECK(same_tensor(runs[r][b].images, runs[0][b].images));
      CHECK(same_tensor(runs[r][b].masks, runs[0][b].masks));
    }
  }
  CHECK(runs[0][0].images.shape() == Shape{4, 3, 48, 48});
  // The same images at other positions of the run (batch 2 repeats batch 0's
  // items) get other augmentations.
  REQUIRE(runs[0][2].items == runs[0][0].items);
  CHECK(!same_tensor(runs[0][2].images, runs[0][0].images));
  // Another epoch, other augmentations.
  Loader other(train, longer, 5, 4, {.batch_size = 4, .workers = 2});
  CHECK(!same_tensor(other.next()->images, runs[0][0].images));
}

TEST_CASE("loader: a worker's error reaches the consumer naming the file, and shutdown is clean") {
  Prepared p;
  const std::vector<FoldRow> rows = read_folds(p.dir / "folds.csv");
  auto val = std::make_shared<const PneumoDataset>(PneumoDataset::val(p.dir.path(), rows, 0, nullptr));
  fs::remove(p.dir / "train" / "img106.png");  // item 2 of the val split
  std::vector<std::size_t> order = {0, 1, 2, 3, 0, 1, 3, 0};
  for (int workers : {0, 1, 3}) {
    INFO("workers ", workers);
    Loader loader(val, order, 1, 0, {.batch_size = 2, .workers = workers});
    REQUIRE(loader.next().has_value());  // batch 0: items 0, 1
    CHECK_THROWS_WITH_AS(loader.next(), doctest::Contains("img106.png"), Error);
    CHECK_THROWS_WITH_AS(loader.next(), doctest::Contains("loader: batch 1 of epoch 0"), Error);
  }
  // Destroyed with batches pending and workers busy: joins without hanging.
  auto ok = std::make_shared<const PneumoDataset>(PneumoDataset::train(p.dir.path(), rows, 0, reference_pipeline(64)));
  std::vector<std::size_t> many;
  for (int r = 0; r < 20; ++r) {
    for (std::size_t i = 0; i < ok->size(); ++i) many.push_back(i);
  }
  {
    Loader loader(ok, many, 1, 0, {.batch_size = 2, .workers = 3, .prefetch = 4});
    REQUIRE(loader.next().has_value());
  }
  CHECK_THROWS_WITH(Loader(ok, {999}, 1, 0), doctest::Contains("index 999"));
}

}  // namespace
}  // namespace pn::loader
