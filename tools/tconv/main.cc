// tconv command-line tool: placeholder main until the CLI lands.
int main() { return 0; }
