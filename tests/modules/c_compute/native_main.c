/* Prints the kernels' answers natively, in the format `isthmus call` prints them. */
#include <stdint.h>
#include <stdio.h>
int fib(int n);
uint32_t checksum(uint32_t n);
double fsum(int n);
int64_t sort(int n);
int main(void) {
  printf("%d\n%d\n%.17g\n%lld\n", fib(25), (int32_t)checksum(60000), fsum(1000), (long long)sort(4000));
  return 0;
}
