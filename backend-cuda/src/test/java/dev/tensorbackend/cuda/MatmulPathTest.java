package dev.tensorbackend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tensorbackend.api.BackendException;
import org.junit.jupiter.api.Test;

class MatmulPathTest {
    @Test
    void kernelByDefaultCublasOnRequestAnythingElseRefused() {
        assertEquals(MatmulPath.KERNEL, MatmulPath.parse(null));
        assertEquals(MatmulPath.KERNEL, MatmulPath.parse(" "));
        assertEquals(MatmulPath.KERNEL, MatmulPath.parse("kernel"));
        assertEquals(MatmulPath.CUBLAS, MatmulPath.parse("CUBLAS"));
        BackendException e = assertThrows(BackendException.class, () -> MatmulPath.parse("tensorcores"));
        assertEquals("tensor.cuda.matmul: unknown value 'tensorcores'; use kernel or cublas", e.getMessage());
    }
}
