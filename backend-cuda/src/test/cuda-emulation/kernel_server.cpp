// A CPU stand-in for a GPU, for the Java tests: device memory, copies and launches of our
// kernels (src/main/cuda, run under cuda_emulation.h), driven over stdin/stdout by
// EmulatedDevice.java, so that CudaBackend with its real launchers and kernels runs the
// contract suite and the cross-check without a GPU.
//
// Requests (little-endian): one command byte, then its operands; each request gets one reply
// byte, 'K' (done) or 'E' followed by a message.
//   A count:i64                      -> K id:i32          allocate count floats
//   F id:i32                         -> K                 free
//   W id:i32 count:i64 floats        -> K                 copy to the device
//   R id:i32 count:i64               -> K floats          copy to the host
//   C dst:i32 src:i32 count:i64      -> K                 device to device
//   Z id:i32 count:i64               -> K                 zeros
//   L nameLen:i32 name grid:3xi32 block:3xi32 shared:i32 argc:i32 {type:u8 value:4 bytes}*  -> K
//        type 'P' buffer id (0: null), 'I' int, 'F' float
//   Q                                                     quit
#include "cuda_emulation.h"

#include "../../main/cuda/conv2d.cu"
#include "../../main/cuda/elementwise.cu"
#include "../../main/cuda/matmul.cu"
#include "../../main/cuda/softmax.cu"

#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <string>

namespace {
std::map<int32_t, std::vector<float>> buffers;
int32_t next_id = 1;

template <class T>
T get() {
    T v;
    if (std::fread(&v, sizeof v, 1, stdin) != 1) std::exit(0); // the Java side went away
    return v;
}

void reply_ok() { std::fputc('K', stdout); }

void reply_error(const std::string& message) {
    std::fputc('E', stdout);
    const int32_t n = (int32_t)message.size();
    std::fwrite(&n, sizeof n, 1, stdout);
    std::fwrite(message.data(), 1, message.size(), stdout);
}

std::vector<float>* buffer(int32_t id, int64_t count) {
    auto it = buffers.find(id);
    if (it == buffers.end() || (int64_t)it->second.size() < count) return nullptr;
    return &it->second;
}

struct Arg {
    char type;
    int32_t i;
    float f;
};

void launch() {
    const int32_t nameLen = get<int32_t>();
    std::string name(nameLen, '\0');
    if (std::fread(name.data(), 1, nameLen, stdin) != (size_t)nameLen) std::exit(0);
    dim3 grid, block;
    grid.x = get<int32_t>(); grid.y = get<int32_t>(); grid.z = get<int32_t>();
    block.x = get<int32_t>(); block.y = get<int32_t>(); block.z = get<int32_t>();
    const int32_t shared = get<int32_t>();
    const int32_t argc = get<int32_t>();
    std::vector<Arg> args(argc);
    for (auto& a : args) {
        a.type = (char)get<uint8_t>();
        if (a.type == 'F') a.f = get<float>(); else a.i = get<int32_t>();
        if (a.type != 'P' && a.type != 'I' && a.type != 'F') {
            std::fprintf(stderr, "kernel_server: argument of unknown type %d for %s: the request is garbled\n", a.type, name.c_str());
            std::exit(3);
        }
    }
    if (shared != 0) { reply_error("dynamic shared memory is not emulated"); return; }
    auto P = [&](int k) -> float* {
        if (args[k].type != 'P') throw std::string("argument " + std::to_string(k) + " of " + name + " is not a pointer");
        if (args[k].i == 0) return nullptr;
        auto it = buffers.find(args[k].i);
        if (it == buffers.end()) throw std::string("argument " + std::to_string(k) + " of " + name + ": no buffer " + std::to_string(args[k].i));
        return it->second.data();
    };
    auto I = [&](int k) -> int {
        if (args[k].type != 'I') throw std::string("argument " + std::to_string(k) + " of " + name + " is not an int");
        return args[k].i;
    };
    auto F = [&](int k) -> float {
        if (args[k].type != 'F') throw std::string("argument " + std::to_string(k) + " of " + name + " is not a float");
        return args[k].f;
    };
    auto need = [&](int n) {
        if (argc != n) throw std::string(name + " takes " + std::to_string(n) + " arguments, got " + std::to_string(argc));
    };
    std::function<void()> body;
    try {
        if (name == "matmul_tile128" || name == "matmul_tile64" || name == "matmul_tile32" || name == "matmul_warp128"
            || name == "matmul_warp128k16" || name == "matmul_warp128x256") {
            need(11);
            auto k = name == "matmul_tile128" ? matmul_tile128
                     : name == "matmul_tile64" ? matmul_tile64
                     : name == "matmul_tile32" ? matmul_tile32
                     : name == "matmul_warp128" ? matmul_warp128
                     : name == "matmul_warp128k16" ? matmul_warp128k16 : matmul_warp128x256;
            body = [=] { k(P(0), P(1), P(2), I(3), I(4), I(5), I(6), I(7), I(8), I(9), I(10)); };
        } else if (name == "conv2d_forward" || name == "conv2d_forward_wide" || name == "conv2d_forward_direct"
                   || name == "conv2d_backward_input" || name == "conv2d_backward_input_wide"
                   || name == "conv2d_backward_input_direct") {
            need(16);
            auto k = name == "conv2d_forward" ? conv2d_forward
                     : name == "conv2d_forward_wide" ? conv2d_forward_wide
                     : name == "conv2d_forward_direct" ? conv2d_forward_direct
                     : name == "conv2d_backward_input" ? conv2d_backward_input
                     : name == "conv2d_backward_input_wide" ? conv2d_backward_input_wide : conv2d_backward_input_direct;
            body = [=] { k(P(0), P(1), P(2), I(3), I(4), I(5), I(6), I(7), I(8), I(9), I(10), I(11), I(12), I(13), I(14), I(15)); };
        } else if (name == "conv2d_backward_filter" || name == "conv2d_backward_filter_wide"
                   || name == "conv2d_backward_filter_direct") {
            need(18);
            auto k = name == "conv2d_backward_filter" ? conv2d_backward_filter
                     : name == "conv2d_backward_filter_wide" ? conv2d_backward_filter_wide : conv2d_backward_filter_direct;
            body = [=] {
                k(P(0), P(1), P(2), I(3), I(4), I(5), I(6), I(7), I(8), I(9), I(10), I(11), I(12), I(13), I(14), I(15), I(16), I(17));
            };
        } else if (name == "conv2d_backward_filter_reduce" || name == "conv2d_backward_filter_direct_reduce") {
            need(4);
            auto k = name == "conv2d_backward_filter_reduce" ? conv2d_backward_filter_reduce : conv2d_backward_filter_direct_reduce;
            body = [=] { k(P(0), P(1), I(2), I(3)); };
        } else if (name == "softmax_forward_warp" || name == "softmax_forward_block" || name == "softmax_forward_fused") {
            need(4);
            auto k = name == "softmax_forward_warp" ? softmax_forward_warp
                     : name == "softmax_forward_block" ? softmax_forward_block : softmax_forward_fused;
            body = [=] { k(P(0), P(1), I(2), I(3)); };
        } else if (name == "softmax_backward_warp" || name == "softmax_backward_block") {
            need(5);
            auto k = name == "softmax_backward_warp" ? softmax_backward_warp : softmax_backward_block;
            body = [=] { k(P(0), P(1), P(2), I(3), I(4)); };
        } else if (name == "add_bias") {
            need(6);
            body = [=] { add_bias(P(0), P(1), P(2), I(3), I(4), I(5)); };
        } else if (name == "sum_to_axis") {
            need(5);
            body = [=] { sum_to_axis(P(0), P(1), I(2), I(3), I(4)); };
        } else if (name == "relu_forward") {
            need(3);
            body = [=] { relu_forward(P(0), P(1), I(2)); };
        } else if (name == "relu_backward") {
            need(4);
            body = [=] { relu_backward(P(0), P(1), P(2), I(3)); };
        } else if (name == "add_elements" || name == "mul_elements") {
            need(4);
            auto k = name == "add_elements" ? add_elements : mul_elements;
            body = [=] { k(P(0), P(1), P(2), I(3)); };
        } else if (name == "scale_elements") {
            need(4);
            body = [=] { scale_elements(P(0), P(1), F(2), I(3)); };
        } else if (name == "axpy") {
            need(4);
            body = [=] { axpy(F(0), P(1), P(2), I(3)); };
        } else if (name == "sum_blocks") {
            need(3);
            body = [=] { sum_blocks(P(0), P(1), I(2)); };
        } else {
            reply_error("no kernel named " + name);
            return;
        }
        // evaluate the arguments once, outside the kernel threads, so a bad one is an error reply
        for (int k = 0; k < argc; ++k) {
            if (args[k].type == 'P') P(k);
        }
    } catch (const std::string& message) {
        reply_error(message);
        return;
    }
    emu::launch(grid, block, body);
    reply_ok();
}
}  // namespace

int main() {
    for (;;) {
        const int c = std::fgetc(stdin);
        if (c == EOF || c == 'Q') return 0;
        switch (c) {
            case 'A': {
                const int64_t count = get<int64_t>();
                // NaN-filled, so a kernel that leaves an element unwritten shows in the results
                buffers[next_id] = std::vector<float>((size_t)count, NAN);
                reply_ok();
                std::fwrite(&next_id, sizeof next_id, 1, stdout);
                ++next_id;
                break;
            }
            case 'F': {
                const int32_t id = get<int32_t>();
                buffers.erase(id);
                reply_ok();
                break;
            }
            case 'W': {
                const int32_t id = get<int32_t>();
                const int64_t count = get<int64_t>();
                std::vector<float> data((size_t)count);
                if (std::fread(data.data(), sizeof(float), (size_t)count, stdin) != (size_t)count) return 0;
                if (auto* b = buffer(id, count)) { std::copy(data.begin(), data.end(), b->begin()); reply_ok(); }
                else reply_error("write past buffer " + std::to_string(id));
                break;
            }
            case 'R': {
                const int32_t id = get<int32_t>();
                const int64_t count = get<int64_t>();
                if (auto* b = buffer(id, count)) { reply_ok(); std::fwrite(b->data(), sizeof(float), (size_t)count, stdout); }
                else reply_error("read past buffer " + std::to_string(id));
                break;
            }
            case 'C': {
                const int32_t dst = get<int32_t>(), src = get<int32_t>();
                const int64_t count = get<int64_t>();
                auto *d = buffer(dst, count), *s = buffer(src, count);
                if (d && s) { std::copy(s->begin(), s->begin() + count, d->begin()); reply_ok(); }
                else reply_error("copy past a buffer");
                break;
            }
            case 'Z': {
                const int32_t id = get<int32_t>();
                const int64_t count = get<int64_t>();
                if (auto* b = buffer(id, count)) { std::fill(b->begin(), b->begin() + count, 0.f); reply_ok(); }
                else reply_error("zero past buffer " + std::to_string(id));
                break;
            }
            case 'L':
                launch();
                break;
            default:
                reply_error(std::string("unknown command ") + (char)c);
        }
        std::fflush(stdout);
    }
}
