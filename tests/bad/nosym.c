/* A shared object that exports no descriptor (the loader must say so). */
__attribute__((visibility("default"))) int not_a_plugin(void);
int not_a_plugin(void) { return 0; }
