/* <string.h> for lwIP's sources: the kernel's freestanding routines. */
#pragma once
#include "lib/string.h"
