/*
 * fiber.c: fibers on ucontext. makecontext and swapcontext are old, but
 * they are in glibc, need no assembly, and ASan and TSan know how to
 * follow them when told about each switch, as done here.
 *
 * Each stack is its own mapping with a guard page at its low end, so a
 * task that overflows faults instead of writing over its neighbour.
 */
#include "config.h"

#include "fiber.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include "xmalloc.h"

#if defined(__SANITIZE_ADDRESS__)
#define FIBER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FIBER_ASAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define FIBER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define FIBER_TSAN 1
#endif
#endif

#ifdef FIBER_ASAN
#include <sanitizer/common_interface_defs.h>
/* ASan's frames are several times larger. */
#define FIBER_STACK	(1024 * 1024)
#else
#define FIBER_STACK	(256 * 1024)
#endif
#ifdef FIBER_TSAN
#include <sanitizer/tsan_interface.h>
#endif
#ifdef HAVE_VALGRIND_VALGRIND_H
/* Its requests cost nothing outside valgrind; inside, it must know. */
#include <valgrind/valgrind.h>
#endif

struct fiber {
	ucontext_t	  uc;
	void		 *map;		/* NULL: a thread's own stack */
	size_t		  maplen;
	const void	 *bottom;	/* usable stack, for ASan */
	size_t		  size;
	void		(*fn)(void *);
	void		 *arg;
	void		 *fake;		/* ASan's fake stack while away */
	void		 *tsan;		/* TSan's context for this fiber */
	unsigned	  vg;		/* valgrind's id for the stack */
};

#ifdef FIBER_ASAN
/* The fiber that switched to the one now landing: ASan learns its stack. */
static _Thread_local struct fiber *fiber_from;
#endif

static void
fiber_landed(struct fiber *self)
{
#ifdef FIBER_ASAN
	const void	*bottom;
	size_t		 size;

	__sanitizer_finish_switch_fiber(self->fake, &bottom, &size);
	/* A thread's stack is known only once we have left it. */
	if (fiber_from != NULL && fiber_from->map == NULL) {
		fiber_from->bottom = bottom;
		fiber_from->size = size;
	}
#else
	(void)self;
#endif
}

/* makecontext passes ints: the fiber's address comes in two halves. */
static void
fiber_main(unsigned int hi, unsigned int lo)
{
	struct fiber	*self;

	self = (struct fiber *)(((uintptr_t)hi << 16 << 16) | (uintptr_t)lo);
	fiber_landed(self);
	self->fn(self->arg);
	abort();	/* a fiber leaves by its last switch, never by return */
}

struct fiber *
fiber_of_thread(void)
{
	struct fiber	*f = xcalloc(1, sizeof *f);

#ifdef FIBER_TSAN
	f->tsan = __tsan_get_current_fiber();
#endif
	return (f);
}

struct fiber *
fiber_create(void (*fn)(void *), void *arg)
{
	struct fiber	*f;
	size_t		 page = (size_t)sysconf(_SC_PAGESIZE);
	uintptr_t	 p;

	f = xcalloc(1, sizeof *f);
	f->maplen = FIBER_STACK + page;
	f->map = mmap(NULL, f->maplen, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (f->map == MAP_FAILED || mprotect(f->map, page, PROT_NONE) == -1) {
		if (f->map != MAP_FAILED)
			munmap(f->map, f->maplen);
		free(f);
		return (NULL);
	}
	f->bottom = (char *)f->map + page;
	f->size = FIBER_STACK;
#ifdef HAVE_VALGRIND_VALGRIND_H
	f->vg = VALGRIND_STACK_REGISTER(f->bottom,
	    (const char *)f->bottom + f->size);
#endif
	f->fn = fn;
	f->arg = arg;
	getcontext(&f->uc);
	f->uc.uc_stack.ss_sp = (void *)f->bottom;
	f->uc.uc_stack.ss_size = f->size;
	f->uc.uc_link = NULL;
	p = (uintptr_t)f;
	makecontext(&f->uc, (void (*)(void))fiber_main, 2,
	    (unsigned int)(p >> 16 >> 16), (unsigned int)(p & 0xffffffffu));
#ifdef FIBER_TSAN
	f->tsan = __tsan_create_fiber(0);
#endif
	return (f);
}

void
fiber_switch(struct fiber *from, struct fiber *to, int last)
{
#ifdef FIBER_ASAN
	__sanitizer_start_switch_fiber(last ? NULL : &from->fake, to->bottom,
	    to->size);
	fiber_from = from;
#else
	(void)last;
#endif
#ifdef FIBER_TSAN
	__tsan_switch_to_fiber(to->tsan, 0);
#endif
	swapcontext(&from->uc, &to->uc);
	fiber_landed(from);
}

void
fiber_free(struct fiber *f)
{
	if (f == NULL)
		return;
	if (f->map != NULL) {
#ifdef FIBER_TSAN
		__tsan_destroy_fiber(f->tsan);
#endif
#ifdef HAVE_VALGRIND_VALGRIND_H
		VALGRIND_STACK_DEREGISTER(f->vg);
#endif
		munmap(f->map, f->maplen);
	}
	free(f);
}
