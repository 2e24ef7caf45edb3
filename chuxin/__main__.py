from chuxin.cli import main

main()
