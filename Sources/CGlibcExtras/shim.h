// glibc functions Swift's Glibc module does not bring in.
#include <malloc.h>
