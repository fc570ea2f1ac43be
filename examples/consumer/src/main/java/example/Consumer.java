package example;

import dev.tensorbackend.api.Backend;
import dev.tensorbackend.api.Backends;
import dev.tensorbackend.api.Shape;
import dev.tensorbackend.api.Tensor;
import java.util.Arrays;

public class Consumer {
    public static void main(String[] args) {
        // -Dtensor.backend=cpu|cuda|reference picks one; by default CUDA where usable, else the CPU
        try (Backend backend = Backends.create();
             Tensor a = backend.upload(Shape.of(2, 3), new float[] {1, 2, 3, 4, 5, 6});
             Tensor c = backend.matmul(a, false, a, true);    // a times a^T, no explicit transpose
             Tensor p = backend.softmax(c)) {                  // along the last axis
            System.out.println(backend.name() + ": a a^T = " + Arrays.toString(c.toArray()));
            System.out.println("softmax rows: " + Arrays.toString(p.toArray()));
        }
    }
}
