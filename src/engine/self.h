/*
 * self.h: this process's id, kept. glibc's getpid is a system call, and
 * the links ask whose a connection is at every command.
 */
#ifndef DISHRACK_SELF_H
#define DISHRACK_SELF_H

#include <sys/types.h>

pid_t	self_pid(void);

#endif
